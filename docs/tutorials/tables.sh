# A table with a number, an integer, a boolean, a category and some empty cells (use your own CSV).
python - <<'PY'
import numpy as np
import pandas as pd
rng = np.random.default_rng(0)
n = 2000
group = rng.integers(0, 3, n)                                # what the columns share
height = np.array([160, 172, 185])[group] + rng.normal(0, 6, n)
people = pd.DataFrame({"height": height.round(1),
                       "weight": (0.9 * (height - 100) + rng.normal(0, 5, n)).round(1),
                       "age": rng.integers(18, 80, n),
                       "smoker": rng.random(n) < np.array([0.1, 0.3, 0.5])[group],
                       "color": np.array(["red", "green", "blue"])[group]})
people.loc[rng.random(n) < 0.05, "age"] = None               # missing cells stay missing
people.to_csv("people.csv", index=False)
gaps = people.head(20).copy()
gaps["height"] = np.nan                                      # cells to fill in
gaps.to_csv("gaps.csv", index=False)
PY
vaekit train --config configs/table.yaml --data people.csv --set train.batch_size=100 --epochs 30 --out runs/people
vaekit evaluate runs/people --k 100
vaekit rows runs/people -n 1000 --stochastic --out rows.csv
vaekit rows runs/people -n 1000 --given 'smoker=yes' --constraint 'age>=18' \
    --constraint 'weight<=height' --constraint 'color!=green' --out adults.csv
vaekit column-errors runs/people --out errors.png
vaekit score runs/people --data people.csv --out scores.csv
vaekit impute runs/people --data gaps.csv --out filled.csv
