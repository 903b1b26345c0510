"""ModuleManager cases beyond the spec's catalogue (§13.6 itself: compat/test_compat_module_manager.py)."""

import hxstudio.backend as hxsnn
from hxstudio.backend.module_manager import ModuleManager


def test_consumer_registered_before_its_producer():
    """A module called on a handle before the module producing it is registered still runs second."""
    manager = ModuleManager()
    m1, m2 = (hxsnn.HXBaseExperimentModule(None) for _ in range(2))
    h1, h2, h3 = (hxsnn.LIFObservables(current=f"h{k}") for k in (1, 2, 3))
    manager.add_node(m2, (h2,), h3)
    manager.add_node(m1, (h1,), h2)
    counts = len(manager.nodes), len(manager._open_sources), len(manager._open_targets)
    assert counts == (2, 1, 1)
    assert [m for m, _, _ in manager.done()] == [m1, m2]
