"""The `ponte` command."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from entrypoints.queue_command import queue_app
from entrypoints.settings import Settings, SettingsError, load_settings, require_erp

app = typer.Typer(
    name="ponte",
    help="Ponte: TOTVS ERP ⇄ storefronts and marketplaces.",
    no_args_is_help=True,
    add_completion=False,
)
sandbox_app = typer.Typer(help="Run an ERP sandbox server on its own.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(queue_app, name="queue")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None


@app.command()
def dev(
    skus: Annotated[
        int, typer.Option(help="Size of the sandbox catalog (when no ERP is set).")
    ] = 2000,
    port: Annotated[int, typer.Option(help="API port.")] = 8000,
) -> None:
    """Everything in one command: embedded PostgreSQL and Redis, the ERP sandbox, migrations, the
    API and the worker. Configured URLs (DATABASE_URL, REDIS_URL, TOTVS_MODA_URL) are used instead
    of the embedded parts."""
    from entrypoints.dev import run_dev

    sys.exit(run_dev(_settings(), skus=skus, port=port))


@app.command()
def api(
    host: Annotated[str | None, typer.Option(help="Bind address (default API_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default API_PORT).")] = None,
) -> None:
    """Serve the HTTP API (granian; API_WORKERS processes)."""
    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    settings = _servers_settings()
    Granian(
        "entrypoints.http.asgi:app_from_environment",
        factory=True,
        interface=Interfaces.ASGI,
        address=host or settings.api_host,
        port=port or settings.api_port,
        workers=settings.http.api_workers,
        loop=Loops.uvloop,
        # Ponte logs its own access lines (with request ids); granian logs only its own events.
        log_access=False,
        log_level=LogLevels(settings.log_level.lower()),
    ).serve()


@app.command()
def worker(
    sync_now: Annotated[
        bool, typer.Option("--sync-now", help="Also run a sync pass as soon as it starts.")
    ] = False,
) -> None:
    """Run the arq worker: the catalog sync every minute and queued jobs."""
    from entrypoints.logs import configure_logging
    from entrypoints.observability import init_sentry
    from entrypoints.providers import make_container
    from entrypoints.worker import create_worker, tune_gc_for_bulk_work

    settings = _servers_settings()
    configure_logging(settings.log_level, settings.http.log_format)
    init_sentry(settings.http)  # Sentry's arq integration switches itself on
    tune_gc_for_bulk_work()
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        require_erp(settings)
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    create_worker(settings, make_container(settings), sync_at_startup=sync_now).run()


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the latest migration."""
    from adapters.postgres.migrations import upgrade_to_head

    database_url, _ = _servers_settings().require_servers()
    asyncio.run(upgrade_to_head(database_url))
    typer.echo("database at the latest migration")


@app.command()
def sync(
    stream: Annotated[str, typer.Argument(help="A stream name, or `all`.")],
    full: Annotated[bool, typer.Option("--full", help="Re-read everything.")] = False,
) -> None:
    """Run one sync pass now, with a progress bar and a summary table."""
    from entrypoints.sync_command import parse_streams, run_sync

    try:
        streams = parse_streams(stream)
    except ValueError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    settings = _erp_settings()
    ok = asyncio.run(run_sync(settings, streams, full=full))
    raise typer.Exit(0 if ok else 1)


@app.command()
def reset(stream: Annotated[str, typer.Argument(help="A stream name, or `all`.")]) -> None:
    """Forget a stream's cursor so its next run is a full backfill."""
    from application.sync.reset_stream import StreamBusy
    from entrypoints.sync_command import parse_streams, reset_streams

    try:
        streams = parse_streams(stream)
    except ValueError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    try:
        asyncio.run(reset_streams(_servers_settings(), streams))
    except StreamBusy as busy:
        typer.secho(str(busy), fg="red", err=True)
        raise typer.Exit(1) from None


@sandbox_app.command("totvs-moda")
def sandbox_totvs_moda(
    skus: Annotated[int, typer.Option(help="How many SKUs the seeded catalog has.")] = 2000,
    faults: Annotated[
        str | None, typer.Option(help="Fault plan, e.g. '5xx=0.2,429=0.05' (see the docs).")
    ] = None,
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8900,
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Seed of the generated catalog.")] = 1,
) -> None:
    """Serve a TOTVS Moda sandbox with a seeded catalog, an admin API and fault injection."""
    from sandbox.totvs_moda.server import serve_forever

    try:
        serve_forever(host=host, port=port, skus=skus, seed=seed, faults=faults)
    except ValueError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address.")],
    password: Annotated[
        str | None, typer.Option(help="The password (prompted for when omitted).")
    ] = None,
) -> None:
    """Create an admin user (registration only ever creates plain users)."""
    from application.accounts.errors import EmailTaken
    from domain.errors import ValidationError
    from entrypoints.accounts_command import create_admin_user

    settings = _servers_settings()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = asyncio.run(create_admin_user(settings, email=email, password=password))
    except (ValidationError, EmailTaken) as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"admin {user.email if user else email} created")


def _servers_settings() -> Settings:
    """Settings of a command that needs PostgreSQL and Redis; exits 2 naming what is missing."""
    settings = _settings()
    try:
        settings.require_servers()
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


def _erp_settings() -> Settings:
    """Settings of a command that also talks to the ERP; exits 2 naming what is missing."""
    settings = _servers_settings()
    try:
        require_erp(settings)
    except SettingsError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


def main() -> None:
    app()
