"""The Yin-Yang data set (Kriener et al., 2021), as shipped with hxtorch (spec §9.4)."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import numpy as np
import torch

__all__ = ["YinYangDataset"]


class YinYangDataset(torch.utils.data.Dataset):
    """Points ``(x, y)`` in a yin-yang symbol of radius ``r_big``, labelled yin, yang or dot.

    Samples are drawn with ``np.random.RandomState(seed)`` in hxtorch's call order (per sample:
    ``randint(3)`` for the wanted class, then ``rand(2)`` until a point of that class inside the
    circle is found), so equal arguments give the same samples as hxtorch.

    Args:
        r_small: radius of the two dots.
        r_big: radius of the symbol.
        size: number of samples.
        seed: RNG seed.
        transform: applied to each sample array on access.

    Shape:
        Item: ``(np.array([x, y, 1 - x, 1 - y]) float64 (4,), int class)``; classes are indices
        into :attr:`class_names`.

    Raises:
        ValueError: ``2 * r_small >= r_big``.

    Source: hxtorch.spiking ``datasets/yinyang.py`` (spec §9.4); L. Kriener, J. Göltz,
    M. A. Petrovici, "The Yin-Yang dataset", NICE 2022.
    """

    class_names = ["yin", "yang", "dot"]

    def __init__(self, r_small: float = 0.1, r_big: float = 0.5, size: int = 1000,
                 seed: int = 42, transform: Optional[Callable[[np.ndarray], Any]] = None):
        super().__init__()
        if 2 * r_small >= r_big:
            raise ValueError("Argument 'r_small' must not be larger than 'r_big' / 2")
        self.r_small = r_small
        self.r_big = r_big
        self.transform = transform
        self._rng = np.random.RandomState(seed)
        self._values = np.empty((size, 4), dtype=np.float64)
        self._classes = []
        for k in range(size):
            x, y, c = self._draw(self._rng.randint(3))
            self._values[k] = (x, y, 1 - x, 1 - y)
            self._classes.append(c)

    def _draw(self, goal: int) -> Tuple[float, float, int]:
        while True:
            x, y = self._rng.rand(2) * 2. * self.r_big
            if np.sqrt((x - self.r_big) ** 2 + (y - self.r_big) ** 2) > self.r_big:
                continue
            c = self.which_class(x, y)
            if c == goal:
                return x, y, c

    def which_class(self, x: float, y: float) -> int:
        """Return 0 (yin), 1 (yang) or 2 (dot) for the point ``(x, y)``."""
        d_right = self.dist_to_right_dot(x, y)
        d_left = self.dist_to_left_dot(x, y)
        criterion1 = d_right <= self.r_small
        criterion2 = self.r_small < d_left <= 0.5 * self.r_big
        criterion3 = y > self.r_big and d_right > 0.5 * self.r_big
        if d_right < self.r_small or d_left < self.r_small:
            return 2
        return int(criterion1 or criterion2 or criterion3)

    def dist_to_right_dot(self, x: float, y: float) -> float:
        """Distance of ``(x, y)`` to the centre of the right dot, ``(1.5 r_big, r_big)``."""
        return np.sqrt((x - 1.5 * self.r_big) ** 2 + (y - self.r_big) ** 2)

    def dist_to_left_dot(self, x: float, y: float) -> float:
        """Distance of ``(x, y)`` to the centre of the left dot, ``(0.5 r_big, r_big)``."""
        return np.sqrt((x - 0.5 * self.r_big) ** 2 + (y - self.r_big) ** 2)

    def __getitem__(self, index: int) -> Tuple[Any, int]:
        sample = self._values[index].copy()
        if self.transform is not None:
            sample = self.transform(sample)
        return sample, self._classes[index]

    def __len__(self) -> int:
        return len(self._classes)
