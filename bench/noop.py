def noop() -> None:
    """The rq no-op job the pipeline benchmark compares against."""
