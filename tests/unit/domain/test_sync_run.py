from domain.sync import Rejection, RunCounts, RunMode, RunStatus, Stream, SyncRun
from tests.unit.fakes import at


def new_run() -> SyncRun:
    return SyncRun(None, Stream.SIZES, RunMode.INCREMENTAL, at(0), cursor_before=at(-5))


def test_a_new_run_is_running_with_nothing_counted() -> None:
    run = new_run()

    assert run.status is RunStatus.RUNNING
    assert run.finished_at is None
    assert run.counts == RunCounts()
    assert run.rejections == []
    assert run.error is None


def test_runs_do_not_share_counts_or_rejections() -> None:
    first, second = new_run(), new_run()
    first.counts.read += 1
    first.rejections.append(Rejection("1", "bad"))

    assert second.counts.read == 0
    assert second.rejections == []


def test_succeed_records_the_end_and_the_new_cursor() -> None:
    run = new_run()
    run.succeed(at(1), at(-1))

    assert (run.status, run.finished_at, run.cursor_after) == (RunStatus.SUCCEEDED, at(1), at(-1))
    assert run.error is None


def test_fail_records_the_end_and_the_error_and_keeps_no_cursor() -> None:
    run = new_run()
    run.fail(at(2), "SourceUnavailable: timeout")

    assert (run.status, run.finished_at, run.error) == (
        RunStatus.FAILED,
        at(2),
        "SourceUnavailable: timeout",
    )
    assert run.cursor_after is None


def test_skip_records_the_end() -> None:
    run = new_run()
    run.skip(at(3))

    assert (run.status, run.finished_at) == (RunStatus.SKIPPED, at(3))
