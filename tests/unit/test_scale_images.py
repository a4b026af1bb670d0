"""The image scale benchmark's data: tar shards that vaekit reads back as the images drawn, and a
measurement that takes the steps asked for across epochs of the streamed shards."""

from __future__ import annotations

from benchmarks.scale_images import child, draw, write_images
from vaekit.data.folder import read_folder
from vaekit.data.image_members import image_members


def test_the_shards_hold_the_drawn_images_in_order(tmp_path):
    folder = write_images(tmp_path / "images-250", 250, per_shard=100)
    assert sorted(p.name for p in folder.glob("*.tar")) == [
        "shard-00000.tar", "shard-00001.tar", "shard-00002.tar"]
    members = image_members(f"{folder}/*.tar")
    assert len(members) == 250
    x, y, _ = read_folder(folder, color="grey", members=members)
    assert x.shape == (250, 1, 28, 28) and y is None
    expected = [draw(100, 0), draw(100, 100), draw(50, 200)]
    for k, want in enumerate(expected):
        assert (x[100 * k : 100 * k + len(want), 0].numpy() == want).all()
    assert x.float().std(dim=(1, 2, 3)).min() > 10  # every image has structure, none is blank


def test_the_stream_measurement_takes_the_steps_across_epochs(tmp_path):
    folder = write_images(tmp_path / "images-250", 250)
    out = child(str(folder), "stream", steps=5, batch=64, workers=0)  # 180 training: 3 a epoch
    assert out["steps"] == 5 and out["images_per_s"] > 0 and out["peak_rss_mb"] > 50
