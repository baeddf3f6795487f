"""Built-in output plugin (being written: registers no format yet)."""

from scheduler import hookimpl


@hookimpl
def register_output_formats():
    return []
