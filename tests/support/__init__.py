"""What the tests share besides fixtures: the independent plan checker, scenario builders, solved
plans and readers of the outputs. Imported as ``tests.support.<module>``."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
ILECU = EXAMPLES / "ilecu.toml"
BAD_SCENARIOS = TESTS / "scenario" / "bad_scenarios"
