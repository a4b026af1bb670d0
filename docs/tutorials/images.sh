# A folder of PNGs, one subfolder per class (made here from the digits; use your own images).
python - <<'PY'
from pathlib import Path
from PIL import Image
from sklearn.datasets import load_digits
digits = load_digits()
for i, (image, label) in enumerate(zip(digits.images, digits.target)):
    folder = Path("my_images") / str(label)
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray((image * 255 / 16).round().astype("uint8")).save(folder / f"{i}.png")
PY
vaekit train --data my_images/ --set data.image_size=16 --epochs 30 --out runs/images
vaekit evaluate runs/images --k 1000
vaekit sample runs/images -n 64 --out samples.png
vaekit score runs/images --data my_images/ --out scores.csv
