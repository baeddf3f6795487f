"""The sub-models of the neighbourhood search leave out every constraint none of whose owners is
freed (``PlanModel.owned``): sound only if each constraint is tagged with every occurrence whose
variables it uses. ``ownership_problems`` reads a whole model back from its proto and lists every
constraint that is not; the tests run it on the scenario of every rule test (``solve_api``) and on
a generated scenario, so a rule that forgets a tag fails its own tests."""

from __future__ import annotations


def _literal(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


def variables_of(ct) -> list[int] | None:
    """The variables a constraint uses (None for a no-overlap or cumulative: it lists intervals)."""
    refs = [_literal(x) for x in ct.enforcement_literal]
    if ct.has_linear():
        return refs + list(ct.linear.vars)
    for kind in ("bool_or", "bool_and", "at_most_one", "exactly_one"):
        if getattr(ct, f"has_{kind}")():
            return refs + [_literal(x) for x in getattr(ct, kind).literals]
    if ct.has_interval():
        return refs + [v for e in (ct.interval.start, ct.interval.end, ct.interval.size) for v in e.vars]
    if ct.has_lin_max():
        return refs + [v for e in (ct.lin_max.target, *ct.lin_max.exprs) for v in e.vars]
    if ct.has_no_overlap() or ct.has_cumulative():
        return None
    raise AssertionError(f"a constraint of a kind the rules do not make: {ct}")


def ownership_problems(pm) -> list[str]:
    """What is wrong with the owner tags of ``pm``'s variables and constraints."""
    proto = pm.model.proto
    variable_owners: list[set | None] = [None] * len(proto.variables)
    constraint_owners: list[set | None] = [None] * len(proto.constraints)
    problems = []
    for v0, v1, c0, c1, owners in pm.spans:
        for v in range(v0, v1):
            if variable_owners[v] is not None:
                problems.append(f"variable {v} tagged twice")
            variable_owners[v] = set(owners)
        for c in range(c0, c1):
            if constraint_owners[c] is not None:
                problems.append(f"constraint {c} tagged twice")
            constraint_owners[c] = set(owners)
    problems += [
        f"variable {v} ({proto.variables[v].name}) belongs to no occurrence"
        for v, o in enumerate(variable_owners)
        if not o
    ]
    for c, ct in enumerate(proto.constraints):
        used = variables_of(ct)
        if constraint_owners[c] is None:
            # Shared: a budget cap (linear over every occurrence), a blocked run, or a no-overlap.
            if not (used is None or ct.has_linear() or (ct.has_interval() and not used)):
                problems.append(f"constraint {c} uses occurrences' variables but is tagged with none: {ct}")
            continue
        if used is None:
            continue
        needed = set().union(*(variable_owners[v] or set() for v in used))
        if not needed <= constraint_owners[c]:
            problems.append(f"constraint {c} uses variables of {sorted(needed - constraint_owners[c])}, untagged")
    return problems
