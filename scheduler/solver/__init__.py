"""The CP-SAT model: variables (``model``), one function per rule of the spec (``rules``), the
lexicographic objective and the search (``solve``)."""
