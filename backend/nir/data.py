"""Recorded spikes ↔ NIR's data IR (hxtorch's ``from_nir_data``/``to_nir_data``, spec §10.4).

Times in the data are seconds of the experiment's clock (``exp.dt``, hardware time), as in hxtorch.
"""

from __future__ import annotations

from typing import Any, Dict

import nir
import numpy as np
import torch

__all__ = ["from_nir_data", "to_nir_data"]


def from_nir_data(nir_graph_data: "nir.NIRGraphData", hxtorch_model: Any) -> Dict[str, torch.Tensor]:
    """Spikes of a ``nir.NIRGraphData`` as ``(T, B, N)`` float tensors on ``exp.dt``'s grid.

    ``EventData`` is gridded with nir's rule (``n_steps = int(t_max/dt)``, ``step = floor(t/dt)``).

    Args:
        nir_graph_data: node name → ``NIRNodeData({"spikes": TimeGriddedData | EventData})``.
        hxtorch_model: anything with ``.exp.dt`` (e.g. a :func:`from_nir` module).
    Returns:
        node name → tensor ``(T, B, N)``.
    Raises:
        NotImplementedError: an observable other than ``"spikes"``, or nested graph data
            (hxtorch's messages).

    Example:
        >>> import hxstudio.backend as hxsnn
        >>> class M: exp = hxsnn.Experiment(mock=True, dt=1e-3)
        >>> data = nir.NIRGraphData({"lif": nir.NIRNodeData({"spikes": nir.EventData(
        ...     idx=np.array([[0, 2]]), time=np.array([[0.0105, 0.05]]), n_neurons=3, t_max=0.1)})})
        >>> spikes = from_nir_data(data, M())["lif"]
        >>> spikes.shape, spikes[10, 0].tolist()
        (torch.Size([100, 1, 3]), [1.0, 0.0, 0.0])
    """
    dt = hxtorch_model.exp.dt
    out: Dict[str, torch.Tensor] = {}
    for name, node in nir_graph_data.nodes.items():
        if isinstance(node, nir.NIRGraphData):
            raise NotImplementedError("The translation of nested NIRGraphData is not supported.")
        for observable, data in node.observables.items():
            if observable != "spikes":
                raise NotImplementedError("Only spikes are supported asobservables yet.")
            if isinstance(data, nir.EventData):
                data = data.to_time_gridded(dt)
            out[name] = torch.tensor(np.asarray(data.data)).permute(1, 0, 2).float()
    return out


def to_nir_data(hxtorch_dict: Dict[str, torch.Tensor], hxtorch_model: Any) -> "nir.NIRGraphData":
    """``(T, B, N)`` spike tensors as ``nir.NIRGraphData`` of boolean ``TimeGriddedData``.

    Args:
        hxtorch_dict: name → spikes ``(T, B, N)`` (e.g. the output of a :func:`from_nir` module).
        hxtorch_model: anything with ``.exp.dt``.
    Returns:
        ``NIRGraphData({name: NIRNodeData({"spikes": TimeGriddedData((B, T, N) bool, dt)})})``.
    """
    dt = hxtorch_model.exp.dt
    nodes = {}
    for name, spikes in hxtorch_dict.items():
        array = np.moveaxis(spikes.detach().cpu().numpy().astype(bool), 1, 0)
        nodes[name] = nir.NIRNodeData({"spikes": nir.TimeGriddedData(array, dt)})
    return nir.NIRGraphData(nodes)
