"""Writes testdata/models/<model>.expected.json: PyTorch's logits for the first 20 test images of the
model's dataset (their pixels, bytes 0-255 of value byte/255, are included), from the checkpoint
train.py saved. The Java importer tests check that the imported network computes the same logits
in plain doubles.

    /usr/bin/python3 testdata/training/expected_logits.py cryptonets [more models]
"""
import json
import os
import sys

import torch

import datasets

COUNT = 20


def write(name, spec, model, models_dir):
    """Writes <models_dir>/<name>.expected.json for a trained model."""
    model.eval()
    images, labels = datasets.load(spec["dataset"], "test")
    with torch.no_grad():
        logits = model(torch.from_numpy(images[:COUNT])).double().numpy()
    out = {"model": name, "dataset": spec["dataset"], "split": "test", "firstImages": COUNT,
           "labels": labels[:COUNT].tolist(),
           "pixels": [[int(round(v * 255)) for v in img.reshape(-1)] for img in images[:COUNT]], "logits": [[float(v) for v in row] for row in logits]}
    with open(os.path.join(models_dir, name + ".expected.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"{name}: wrote logits of {COUNT} test images")


if __name__ == "__main__":
    import train

    for arg in sys.argv[1:]:
        spec = train.SPECS[arg]
        m = spec["build"]()
        m.load_state_dict(torch.load(os.path.join(train.CHECKPOINTS, arg + ".pt")))
        write(arg, spec, m, train.MODELS)
