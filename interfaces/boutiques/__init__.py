"""Boutiques descriptors: wrap any tool from its JSON descriptor, and export ours.

:func:`load` turns a Boutiques descriptor (schema 0.5, or niwrap's relaxed
dialect) into an :class:`~interfaces.base.Interface` class, so that any
described tool runs on in-memory images like a hand-written wrapper.
:func:`export` writes a descriptor, accepted by ``bosh validate``, for any of
our interfaces.

==================  ==========================================================
``descriptor``      reading a descriptor, checking what we can honour
``template``        the command-line and path templates, conditions
``build``           the Interface class of a descriptor
``exporter``        an Interface class to a descriptor
==================  ==========================================================

This family offers no interface of its own to ``imageshell list``: it makes
them from descriptors.
"""

from __future__ import annotations

from .descriptor import DescriptorError

__all__ = ["load", "export", "DescriptorError"]


def load(descriptor, *, name: str | None = None, drop=(), shell: bool = False) -> type:
    """The Interface class of a Boutiques descriptor.

    Parameters
    ----------
    descriptor : str, os.PathLike or dict
        A path to a ``.json`` descriptor, its JSON text, or the parsed dict.
    name : str, optional
        Class name (default: the descriptor's ``name`` made an identifier).
    drop : iterable of str
        Ids of optional inputs to leave out.
    shell : bool, default False
        Accept a command line that needs a shell (``|``, ``>``, ``;``,
        ``&&``, ``$VAR``, backticks) and run it as ``/bin/sh -c LINE``, every
        value quoted.  Off by default: tools run without a shell, and such a
        descriptor is refused with a :class:`DescriptorError` that names it.
        Turn it on only for a descriptor you trust: its command line runs as
        shell code.

    Returns
    -------
    type
        A subclass of :class:`~interfaces.base.Interface`; its inputs are the
        descriptor's input ids, its outputs the output-file ids.

    Raises
    ------
    DescriptorError
        The descriptor cannot be read, or uses something imageshell cannot
        honour; the message names the field.

    Examples
    --------
    >>> from interfaces import boutiques                        # doctest: +SKIP
    >>> mrconvert = boutiques.load("mrconvert.json")            # doctest: +SKIP
    >>> mrconvert().run(input=img).outputs.output               # doctest: +SKIP
    """
    from .build import build_interface
    from .descriptor import Plan, read

    desc, where = read(descriptor)
    return build_interface(Plan(desc, where, drop=drop, shell=bool(shell)), desc, name)


def export(interface, *, tool_version: str | None = None) -> dict:
    """A Boutiques descriptor (schema 0.5) of one of our interfaces.

    Parameters
    ----------
    interface : type
        An :class:`~interfaces.base.Interface` subclass, e.g.
        ``interfaces.coreutils.cp``.
    tool_version : str, optional
        Default: the installed tool's version, or ``"unknown"``.

    Returns
    -------
    dict
        Ready for ``json.dump``; ``load(export(X))`` builds the same argv as
        ``X`` for the same inputs.
    """
    from .exporter import export_interface

    return export_interface(interface, tool_version=tool_version)
