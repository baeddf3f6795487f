"""The solver: the lexicographic driver over the model's objectives, with the search's warm start.

``solve(instance, SolveOptions(...))`` returns a ``scheduler.plan.Plan``.
"""

from scheduler.solver.lexicographic import solve
from scheduler.solver.options import SolveOptions, default_workers

__all__ = ["SolveOptions", "default_workers", "solve"]
