"""Tamper evidence of the registers: each entry's SHA-256 is chained over the previous entry
of its register (and year) and the entry's registered fields (``Mail.HASHED_FIELDS``).
An entry edited behind the application's back, or a number missing, breaks the chain."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Mail, RegisterCounter
from .services import previous_chain_hash


@dataclass(frozen=True)
class Breach:
    mail_id: int | None
    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.reference} : {self.reason}"


def _fields() -> list[str]:
    return sorted(
        {"id", "chain_hash", *(f.removesuffix("_id") if f.endswith("_id") else f for f in Mail.HASHED_FIELDS)}
    )


def verify_register(register: str, year: int) -> Breach | None:
    """The first entry of (register, year) that does not match its chain, or None."""
    expected_number = 1
    previous = previous_chain_hash(register, year, 1)
    qs = Mail.objects.filter(register=register, year=year).only(*_fields()).order_by("number")
    for mail in qs.iterator(chunk_size=2000):
        if mail.number != expected_number:
            return Breach(None, mail.reference, f"numéro {expected_number} manquant avant le n° {mail.number}")
        if mail.compute_chain_hash(previous) != mail.chain_hash:
            return Breach(mail.pk, mail.reference, "l'entrée ne correspond plus à son empreinte")
        previous = mail.chain_hash
        expected_number += 1
    counter = (
        RegisterCounter.objects.filter(register=register, year=year)
        .values_list("last_number", "last_hash", "last_hash_number")
        .first()
    )
    if counter is None:
        return None
    last_number, last_hash, last_hash_number = counter
    if last_number != expected_number - 1:
        return Breach(
            None, f"{register} {year}", f"le compteur indique {last_number}, le registre {expected_number - 1}"
        )
    # The hash the next registration will chain on must be the last entry's.
    if last_hash and last_hash_number == last_number and last_hash != previous:
        return Breach(
            None, f"{register} {year}", "l'empreinte gardée par le compteur n'est pas celle de la dernière entrée"
        )
    return None


def verify_all() -> list[Breach]:
    """The first breach of each register and year (an empty list: all registers intact)."""
    pairs = set(Mail.objects.values_list("register", "year").distinct())
    pairs |= set(RegisterCounter.objects.values_list("register", "year"))
    breaches = []
    for register, year in sorted(pairs):
        breach = verify_register(register, year)
        if breach is not None:
            breaches.append(breach)
    return breaches
