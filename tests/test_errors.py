"""bot/errors.py: one tree, drawn in its docstring."""

import inspect

import alertrelay.bot.errors as errors


def _classes() -> list[type]:
    return [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]


def test_every_exception_is_under_the_root_and_drawn_in_the_tree() -> None:
    for cls in _classes():
        assert issubclass(cls, errors.AlertrelayError), cls
        assert f"── {cls.__name__}" in (errors.__doc__ or "") or cls is errors.AlertrelayError, cls


def test_the_errors_that_were_value_errors_still_are() -> None:
    """Callers (pydantic validators among them) catch ValueError; the tree did not change what they see."""
    for cls in (errors.InvalidAddress, errors.BadForm, errors.BadLine, errors.UnknownCommand, errors.BadArgument,
                errors.AreasFileError, errors.UnknownArea, errors.BackupError):
        assert issubclass(cls, ValueError), cls
    for cls in (errors.WrongSecretKey, errors.RotationError):
        assert issubclass(cls, RuntimeError), cls
