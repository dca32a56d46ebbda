"""Calibrates a quick scale in PyTorch, about four times faster per step than our wasm engine.

    python3 scripts/torch_calibrate.py '{"width": 0.25, "per": 100, "w": [4, 0.25], "epochs": 600}' [cifar dir]

Trains the figures' CNN (NYU's CustomCNN: unpadded bias-free 3x3 convs, PyTorch's default init, a
2-way head) with every conv and dense width scaled by `width`, on `per` dogs + `per` cats of the
CIFAR-10 training batches, SGD without momentum (lr 0.1, batch 16, optional weight decay `wd`),
class-weighted cross entropy normalised by the batch's weights, once per dog weight in `w`. At the
same log-spaced epochs as iwlab's trainer it prints the training accuracy and the dog fraction on
`test` dogs + `test` cats of the test batch and on `ood` images of the other eight classes.

It answers the calibration questions (when does a run leave the constant predictor, when does it fit
its training set, how far apart are the weights afterwards) before spending wasm time on a figure.
The subsets are drawn with numpy, not iwlab's sampler, so single runs differ from iwlab's in detail.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

# The folder `npm run data -- cifar10` fills, or another one as the second argument.
DATA = (sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), '..', 'data', 'cifar-10-batches-bin')) + '/'
DOG, CAT = 5, 3
BATCH = 16


def load(files):
    images, labels = [], []
    for name in files:
        rows = np.fromfile(DATA + name, dtype=np.uint8).reshape(-1, 3073)  # label byte + 3x32x32 pixels
        labels.append(rows[:, 0])
        images.append(rows[:, 1:].reshape(-1, 3, 32, 32))
    return np.concatenate(images), np.concatenate(labels)


def normalise(x):
    return torch.tensor((x / 255.0 - 0.5) / 0.5, dtype=torch.float32)  # mean 0.5, std 0.5 per channel


def cnn(width):
    c = lambda n: max(1, round(n * width))  # noqa: E731, as src/models/cnn.ts scaledWidth
    return nn.Sequential(
        nn.Conv2d(3, c(64), 3, bias=False), nn.ReLU(), nn.Conv2d(c(64), c(64), 3, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c(64), c(128), 3, bias=False), nn.ReLU(), nn.Conv2d(c(128), c(128), 3, bias=False), nn.ReLU(),
        nn.Conv2d(c(128), c(128), 3, bias=False), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * c(128), c(512)), nn.ReLU(), nn.Linear(c(512), c(128)), nn.ReLU(), nn.Linear(c(128), 2))


def dog_fraction(model, x):
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    model.train()
    return predictions.float().mean().item()


def is_log_spaced(epoch):  # as src/train/evaluate.ts isLogSpacedEpoch
    return epoch <= 20 or math.floor(20 * math.log10(epoch)) != math.floor(20 * math.log10(epoch - 1))


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(1)
    rng = np.random.default_rng(cfg.get('seed', 0))
    pick = lambda x, y, label, n: x[rng.permutation(np.where(y == label)[0])[:n]]  # noqa: E731
    train_x, train_y = load([f'data_batch_{i}.bin' for i in range(1, 6)])
    test_x, test_y = load(['test_batch.bin'])
    per, test = cfg['per'], cfg.get('test', 250)
    x = normalise(np.concatenate([pick(train_x, train_y, DOG, per), pick(train_x, train_y, CAT, per)]))
    y = torch.tensor([1] * per + [0] * per)
    in_domain = normalise(np.concatenate([pick(test_x, test_y, DOG, test), pick(test_x, test_y, CAT, test)]))
    others = np.where((test_y != DOG) & (test_y != CAT))[0]
    out_of_domain = normalise(test_x[rng.permutation(others)[:cfg.get('ood', 1000)]])
    for weight in cfg['w']:
        torch.manual_seed(cfg.get('seed', 0))
        model = cnn(cfg['width'])
        optimiser = torch.optim.SGD(model.parameters(), lr=cfg.get('lr', 0.1), weight_decay=cfg.get('wd', 0.0))
        loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1.0, weight]))  # self-normalised, as NYU
        started = time.time()
        for epoch in range(1, cfg['epochs'] + 1):
            order = torch.randperm(len(y))
            for step in range(len(y) // BATCH):
                batch = order[step * BATCH:(step + 1) * BATCH]
                optimiser.zero_grad()
                loss = loss_fn(model(x[batch]), y[batch])
                loss.backward()
                optimiser.step()
            if is_log_spaced(epoch) or epoch == cfg['epochs']:
                accuracy = 0.5 * dog_fraction(model, x[y == 1]) + 0.5 * (1 - dog_fraction(model, x[y == 0]))
                print(f'{time.time() - started:.0f}s w={weight} epoch={epoch} step={epoch * (len(y) // BATCH)} '
                      f'loss={loss.item():.4f} acc={accuracy:.3f} in={dog_fraction(model, in_domain):.3f} '
                      f'ood={dog_fraction(model, out_of_domain):.3f}', flush=True)


if __name__ == '__main__':
    main()
