"""Roles: /verifier add|remove and /admin add|remove (people stored as pseudonyms and sealed addresses)."""

from __future__ import annotations

from redis.client import Pipeline

from alertrelay.bot import keys, replies
from alertrelay.bot.errors import BadArgument, InvalidAddress
from alertrelay.bot.identity import normalise_address
from alertrelay.workers.commands.arguments import parse_person
from alertrelay.workers.commands.context import Ctx, canonical_area
from alertrelay.workers.commands.grammar import command
from alertrelay.workers.config_state import VerifierInfo, change_config


def _address(word: str) -> str:
    try:
        return normalise_address(word)
    except InvalidAddress:
        raise BadArgument(f"Not a phone number or Signal UUID: {word[:40]}.",
                          f"No es un teléfono ni un UUID de Signal: {word[:40]}.") from None


@command("verifier add", "verificador agregar", "admin", "<phone|uuid> [signal|whatsapp|sms] [en|es] [area, …]",
         "<teléfono|uuid> [signal|whatsapp|sms] [en|es] [zona, …]", "add a verifier", "agregar verificador",
         "verificador anadir")
def verifier_add(ctx: Ctx) -> None:
    rt = ctx.rt
    person = parse_person(ctx.args)
    address = _address(person.address)
    if not address.startswith("+") and person.channel != "signal":
        raise BadArgument("A Signal UUID can only get dispatches on Signal.",
                          "Un UUID de Signal solo recibe avisos por Signal.")
    areas = [canonical_area(rt, a) for a in person.areas]
    pseudonym = rt.identity.pseudonym(address)
    info = VerifierInfo(sealed=rt.identity.seal(address), channel=person.channel, language=person.language,
                        areas=list(areas))  # a list of the wider AreaSpec

    def write(pipe: Pipeline) -> None:
        pipe.sadd(keys.VERIFIERS, pseudonym)
        pipe.hset(keys.VERIFIER_INFO, pseudonym, info.model_dump_json())

    change_config(rt.conn, write)
    beat = ", ".join(areas) or "everywhere"
    ctx.done(f"verifier {pseudonym} ({person.channel}, {person.language}, {beat})",
             f"Verifier {pseudonym[:9]} added ({person.channel}, {beat}).",
             f"Verificador {pseudonym[:9]} agregado ({person.channel}, {'todas partes' if not areas else beat}).")


@command("verifier remove", "verificador quitar", "admin", "<phone|uuid>", "<teléfono|uuid>", "remove a verifier",
         "quitar verificador", "verificador borrar")
def verifier_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))
    if pseudonym not in rt.config().verifiers:
        raise BadArgument("That person is not a verifier.", "Esa persona no es verificadora.")

    def write(pipe: Pipeline) -> None:
        pipe.srem(keys.VERIFIERS, pseudonym)
        pipe.hdel(keys.VERIFIER_INFO, pseudonym)

    change_config(rt.conn, write)
    ctx.done(f"verifier {pseudonym} removed", f"Verifier {pseudonym[:9]} removed.",
             f"Verificador {pseudonym[:9]} quitado.")


@command("admin add", "admin agregar", "admin", "<phone|uuid>", "<teléfono|uuid>", "add an admin",
         "agregar admin", "admin anadir")
def admin_add(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))

    def write(pipe: Pipeline) -> None:
        pipe.sadd(keys.ADMINS, pseudonym)

    change_config(rt.conn, write)
    ctx.done(f"admin {pseudonym} added", f"Admin {pseudonym[:9]} added.", f"Admin {pseudonym[:9]} agregado.")


@command("admin remove", "admin quitar", "admin", "<phone|uuid>", "<teléfono|uuid>", "remove an admin",
         "quitar admin", "admin borrar")
def admin_remove(ctx: Ctx) -> None:
    rt = ctx.rt
    pseudonym = rt.identity.pseudonym(_address(ctx.args.split()[0] if ctx.args.split() else ""))

    def check(pipe: Pipeline) -> None:
        admins = {replies.text(a) for a in pipe.smembers(keys.ADMINS)}
        if pseudonym not in admins:
            raise BadArgument("That person is not an admin.", "Esa persona no es admin.")
        if admins == {pseudonym}:
            raise BadArgument("That is the last admin: add another one first.",
                              "Es el último admin: agregue otro primero.")

    def write(pipe: Pipeline, _checked: None) -> None:
        pipe.srem(keys.ADMINS, pseudonym)

    change_config(rt.conn, write, check)
    ctx.done(f"admin {pseudonym} removed", f"Admin {pseudonym[:9]} removed.", f"Admin {pseudonym[:9]} quitado.")
