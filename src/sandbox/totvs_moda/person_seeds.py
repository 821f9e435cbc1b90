"""Seeded persons: ``persons`` individuals, then ``legal_entities`` legal entities, codes from 1.

Person *i* is a pure function of the seed and *i* (name, valid CPF/CNPJ, contacts, flags). Seeded
change timestamps spread over the day before ``base_at`` and grow with the code, like SKUs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from sandbox.totvs_moda.config import CatalogConfig
from sandbox.totvs_moda.documents import make_cnpj, make_cpf
from sandbox.totvs_moda.hashing import mix
from sandbox.totvs_moda.persons import Address, Email, Person, PersonBook, Phone

SALT_PERSON, SALT_DOCUMENT = 20, 21
SEED_SPREAD = 86_400

FIRST_NAMES = (
    "Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela",
    "João", "Larissa", "Marcos", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Thiago",
    "Vitória", "Yuri",
)  # fmt: skip
LAST_NAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues", "Almeida",
    "Nascimento", "Araújo", "Ferreira", "Carvalho", "Gomes", "Ribeiro",
)  # fmt: skip
_SHOP_KINDS = ("Boutique", "Moda", "Confecções", "Magazine", "Ateliê")
_SHOP_NAMES = ("Aurora", "Brisa", "Cais", "Dunas", "Estrela", "Flor de Lis", "Girassol", "Ipê")
_SUFFIXES = ("Ltda", "ME", "EIRELI", "S.A.")
#: (IBGE code, city, state, CEP prefix)
CITIES = (
    (3550308, "São Paulo", "SP", "01310"),
    (3304557, "Rio de Janeiro", "RJ", "22041"),
    (3106200, "Belo Horizonte", "MG", "30130"),
    (4106902, "Curitiba", "PR", "80010"),
    (4314902, "Porto Alegre", "RS", "90010"),
    (2927408, "Salvador", "BA", "40020"),
    (2611606, "Recife", "PE", "50030"),
    (4205407, "Florianópolis", "SC", "88010"),
)
_STREETS = (
    "das Flores",
    "Brasil",
    "XV de Novembro",
    "Sete de Setembro",
    "dos Andradas",
    "Paulista",
)
_NEIGHBORHOODS = ("Centro", "Jardim América", "Vila Nova", "Boa Vista", "Bela Vista")


def ascii_lower(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def seed_persons(config: CatalogConfig, base_at: int) -> PersonBook:
    book = PersonBook()
    total = config.persons + config.legal_entities
    for i in range(total):
        at = base_at - (total - 1 - i) * SEED_SPREAD // total
        book.add(
            generated_person(
                config, i + 1, legal=i >= config.persons, at=at, taken=book.by_document
            )
        )
    return book


def generated_person(
    config: CatalogConfig,
    code: int,
    *,
    legal: bool,
    at: int,
    taken: Callable[[str], object | None],
) -> Person:
    """Person ``code`` as the seed makes it; ``taken`` tells which documents exist already."""
    seed = config.seed
    h = mix(seed, code, SALT_PERSON)
    document = ""
    for attempt in range(100):
        n = mix(seed, code * 128 + attempt, SALT_DOCUMENT)
        document = make_cnpj(n, 1) if legal else make_cpf(n)
        if taken(document) is None:
            break
    branches = config.branches
    city = CITIES[(h >> 8) % len(CITIES)]
    first, last = FIRST_NAMES[h % len(FIRST_NAMES)], LAST_NAMES[(h >> 4) % len(LAST_NAMES)]
    person = Person(
        code=code,
        legal=legal,
        document=document,
        name=f"{first} {last}",
        branch_insert_code=branches[(h >> 12) % len(branches)],
        insert_at=at - (30 + (h >> 16) % 700) * 86_400,
        at=at,
        is_inactive=(h >> 26) % 20 == 0,
    )
    if legal:
        shop = f"{_SHOP_KINDS[h % len(_SHOP_KINDS)]} {_SHOP_NAMES[(h >> 4) % len(_SHOP_NAMES)]}"
        person.name = f"{shop} {_SUFFIXES[(h >> 30) % len(_SUFFIXES)]}".upper()
        person.fantasy_name = shop
        person.uf = city[2]
        person.state_registration = f"{(h >> 32) % 10**12:012d}"
        person.foundation_date = f"{1980 + (h >> 44) % 40}-{1 + (h >> 50) % 12:02d}-15"
        person.is_customer = (h >> 36) % 5 != 0
        person.is_supplier = not person.is_customer
    else:
        person.birth_date = (
            f"{1950 + (h >> 32) % 56}-{1 + (h >> 40) % 12:02d}-{1 + (h >> 44) % 28:02d}"
        )
        person.gender = "Female" if (h >> 48) % 2 else "Male"
        person.rg = f"{(h >> 20) % 10**9:09d}"
    if (h >> 52) % 10 < 8:
        street = _STREETS[(h >> 54) % len(_STREETS)]
        person.addresses.append(
            Address(
                sequence=1,
                type_code=1 if legal else 3,
                address=f"Rua {street}",
                public_place="Rua",
                number=str(10 + (h >> 20) % 1990),
                neighborhood=_NEIGHBORHOODS[(h >> 57) % len(_NEIGHBORHOODS)],
                city_name=city[1],
                state=city[2],
                ibge_city_code=city[0],
                cep=f"{city[3]}{(h >> 24) % 1000:03d}",
            )
        )
    if (h >> 58) % 10 < 7:
        area = 11 + (h >> 8) % 80
        person.phones.append(
            Phone(1, 2 if legal else 3, f"({area}) 9{(h >> 28) % 10**8:08d}", is_default=True)
        )
        if (h >> 61) % 2:
            person.phones.append(Phone(2, 1, f"{area}3{(h >> 36) % 10**7:07d}"))
    if (h >> 62) % 4 != 0:
        local = ascii_lower(person.fantasy_name or f"{first}.{last}").replace(" ", ".")
        domain = "example.com.br" if legal else "example.com"
        person.emails.append(Email(1, 2 if legal else 1, f"{local}{code}@{domain}", True))
    return person
