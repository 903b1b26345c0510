"""Deprecated exponential-Euler neurons NeuronExp and ReadoutNeuronExp (spec §5.5).

Their time constants are given as decay factors per step (model value ``exp(-dt/τ)``); the
recommended parameter is ``HXTransformedModelParameter(exp(-dt/τ), lambda a: -dt / log(a))``, so
the hardware value is the time constant in s.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..functional import exp_cuba_li_integration, exp_cuba_lif_integration
from ..handle import HandleBase, LIFObservables, LIObservables
from .neuron import LI, LIF

__all__ = ["NeuronExp", "ReadoutNeuronExp"]


class NeuronExp(LIF):
    """LIF integrated by :func:`~hxstudio.backend.functional.exp_cuba_lif_integration`.

    Arguments as in :class:`~hxstudio.backend.LIF`, except that the *model values* of
    ``tau_mem`` and ``tau_syn`` are the decay factors ``exp(-dt/τ)`` (in (0, 1]). There is no
    refractory period and ``membrane_capacitance`` is unused.

    Shape:
        Input: one :data:`~hxstudio.backend.SynapseHandle` ``(T, B, N)``. Output:
        :data:`~hxstudio.backend.LIFObservables` with ``spikes``, ``membrane_cadc``, ``current``
        ``(T, B, N)``.

    Warns:
        DeprecationWarning: on every forward pass.

    Note:
        hxtorch (HEAD) fills the output handle positionally in the wrong field order, so there
        ``current`` holds the spikes and ``membrane_madc`` the current (spec §5.5, §15.1). Here
        every field holds what its name says.

    Source: hxtorch.spiking ``modules/neuron_exp.py`` (spec §5.5).
    """

    def forward_func(self, input: HandleBase, hw_data: Any = None) -> HandleBase:
        """Integrate ``input.graded_spikes`` (one input)."""
        warnings.warn("NeuronExp is deprecated; use LIF", DeprecationWarning, stacklevel=2)
        (graded,) = self._graded_inputs((input,))
        self._check_parameters()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            spikes, membrane, current, madc = exp_cuba_lif_integration(
                graded, leak=self.leak.model_value, reset=self.reset.model_value,
                threshold=self.threshold.model_value, tau_syn_exp=self.tau_syn.model_value,
                tau_mem_exp=self.tau_mem.model_value, method=self.method, alpha=self.alpha,
                hw_data=hw_data)
        return LIFObservables(spikes=spikes, membrane_cadc=membrane, current=current,
                              membrane_madc=madc)


class ReadoutNeuronExp(LI):
    """Leaky integrator integrated by
    :func:`~hxstudio.backend.functional.exp_cuba_li_integration`.

    Arguments as in :class:`~hxstudio.backend.LI`, except that the *model values* of
    ``tau_mem`` and ``tau_syn`` are the decay factors ``exp(-dt/τ)``.

    Shape:
        Inputs: one or more :data:`~hxstudio.backend.SynapseHandle` ``(T, B, N)``, summed.
        Output: :data:`~hxstudio.backend.LIObservables` with ``membrane_cadc`` and ``current``
        ``(T, B, N)``.

    Warns:
        DeprecationWarning: on every forward pass.

    Note:
        hxtorch (HEAD) puts the membrane into ``current`` and the synaptic current into
        ``membrane_cadc`` (positional construction, spec §5.5, §15.1); its ``test_li_single``
        therefore fits currents. Here ``membrane_cadc`` is the membrane, and that test's
        training still converges below its bar (tests/backend/compat).

    Source: hxtorch.spiking ``modules/neuron_exp.py`` (spec §5.5).
    """

    def forward_func(self, *inputs: HandleBase, hw_data: Any = None) -> HandleBase:
        """Integrate the summed ``graded_spikes`` of ``inputs``."""
        warnings.warn("ReadoutNeuronExp is deprecated; use LI", DeprecationWarning, stacklevel=2)
        graded = self._graded_inputs(inputs)
        self._check_parameters()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            membrane, current, madc = exp_cuba_li_integration(
                graded[0] if len(graded) == 1 else graded, leak=self.leak.model_value,
                tau_syn_exp=self.tau_syn.model_value, tau_mem_exp=self.tau_mem.model_value,
                hw_data=hw_data)
        return LIObservables(membrane_cadc=membrane, current=current, membrane_madc=madc)
