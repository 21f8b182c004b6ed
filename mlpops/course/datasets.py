"""Small data sets made by code (the course runs offline)."""

from __future__ import annotations

import numpy as np


def spirals(
    num_per_class: int = 100, num_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms in 2-D: X of shape (num_per_class * num_classes, 2), labels."""
    rng = np.random.default_rng(seed)
    X = np.zeros((num_per_class * num_classes, 2))
    y = np.zeros(num_per_class * num_classes, dtype=int)
    for c in range(num_classes):
        i = slice(c * num_per_class, (c + 1) * num_per_class)
        r = np.linspace(0.0, 1.0, num_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, num_per_class) + rng.normal(0, noise, num_per_class)
        X[i] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[i] = c
    return X, y


def circles(
    num_samples: int = 200, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """An inner circle (label 1) inside an outer ring (label 0), in 2-D."""
    rng = np.random.default_rng(seed)
    n_out = num_samples // 2
    n_in = num_samples - n_out
    t_out = rng.uniform(0, 2 * np.pi, n_out)
    t_in = rng.uniform(0, 2 * np.pi, n_in)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]]
    X += rng.normal(0, noise, X.shape)
    y = np.r_[np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)]
    return X, y


def tiny_images(
    num_samples: int = 64, size: int = 32, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Grey images (num_samples, size, size) of a bright square (label 0) or a bar (1)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 0.1, (num_samples, size, size))
    y = rng.integers(0, 2, num_samples)
    for img, label in zip(X, y):
        r, c = rng.integers(2, size - 10, 2)
        if label == 0:
            img[r : r + 8, c : c + 8] += 1.0
        else:
            img[r : r + 2, 2 : size - 2] += 1.0
    return X, y
