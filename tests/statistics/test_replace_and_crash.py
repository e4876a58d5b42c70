"""A new accepted file replaces the earlier one atomically; a crash in the middle changes nothing."""

import pytest

from statistics import services
from statistics.models import StatRow, Submission

from .factories import PERIOD, OrganisationFactory, csv_text, good_rows, write


def upload(org, path):
    sub = services.submission_create(organisation=org, period=PERIOD, file=path, enqueue=False)
    return services.submission_import(sub.pk)


@pytest.mark.django_db
def test_second_accepted_upload_supersedes_the_first(tmp_path):
    org = OrganisationFactory()
    first = upload(org, write(tmp_path, csv_text(good_rows(10, seed=1)))).submission
    second = upload(org, write(tmp_path, csv_text(good_rows(12, seed=2))))
    first.refresh_from_db()
    assert first.status == Submission.Status.SUPERSEDED
    assert second.submission.status == Submission.Status.ACCEPTED
    assert second.superseded == first and second.submission.supersedes == first
    assert Submission.objects.filter(organisation=org, status="accepted").get() == second.submission
    # the earlier one is kept, with its rows
    assert StatRow.objects.filter(submission=first).count() == 10


@pytest.mark.django_db
def test_rejected_upload_leaves_the_accepted_one(tmp_path):
    org = OrganisationFactory()
    first = upload(org, write(tmp_path, csv_text(good_rows(10)))).submission
    rows = good_rows(10)
    rows[5]["decision"] = "kanske"
    bad = upload(org, write(tmp_path, csv_text(rows))).submission
    first.refresh_from_db()
    assert (first.status, bad.status) == (Submission.Status.ACCEPTED, Submission.Status.REJECTED)
    assert not StatRow.objects.filter(submission=bad).exists()


@pytest.mark.django_db
def test_crash_in_the_middle_leaves_the_earlier_submission_and_nothing_new(tmp_path, monkeypatch, settings):
    settings.STATISTICS_FAST_PATH = False  # the row-by-row path (the fast path: the next test)
    org = OrganisationFactory()
    first = upload(org, write(tmp_path, csv_text(good_rows(50, seed=1)))).submission
    path = write(tmp_path, csv_text(good_rows(30_000, seed=2)), name="big.csv")
    sub = services.submission_create(organisation=org, period=PERIOD, file=path, enqueue=False)

    real_sink = services._sink
    written = []

    def crashing_sink(submission_id):
        sink = real_sink(submission_id)
        original_flush = sink.flush

        def flush():
            original_flush()
            written.append(1)
            if len(written) == 2:  # rows have reached the database, then the worker dies
                raise RuntimeError("simulated crash")

        sink.flush = flush
        return sink

    monkeypatch.setattr(services, "_sink", crashing_sink)
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.submission_import(sub.pk)
    assert len(written) == 2
    first.refresh_from_db()
    sub.refresh_from_db()
    assert first.status == Submission.Status.ACCEPTED
    assert StatRow.objects.filter(submission=first).count() == 50
    assert not StatRow.objects.filter(submission=sub).exists()
    assert sub.status == Submission.Status.REJECTED  # marked failed, with a message to upload again
    assert sub.error_count == 1


@pytest.mark.django_db
def test_crash_in_the_fast_path_leaves_the_earlier_submission_and_nothing_new(tmp_path, monkeypatch):
    from statistics import fastpath

    org = OrganisationFactory()
    first = upload(org, write(tmp_path, csv_text(good_rows(50, seed=1)))).submission
    path = write(tmp_path, csv_text(good_rows(30_000, seed=2)), name="big.csv")
    sub = services.submission_create(organisation=org, period=PERIOD, file=path, enqueue=False)
    monkeypatch.setattr(fastpath, "BLOCK_BYTES", 256 * 1024)  # several blocks
    real_import = fastpath.import_csv
    written = []

    def crashing_import(*args, write, **kwargs):
        def counting_write(data):
            write(data)
            written.append(len(data))
            if len(written) == 2:  # two blocks have reached the database, then the worker dies
                raise RuntimeError("simulated crash")

        return real_import(*args, write=counting_write, **kwargs)

    monkeypatch.setattr(fastpath, "import_csv", crashing_import)
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.submission_import(sub.pk)
    assert len(written) == 2
    first.refresh_from_db()
    sub.refresh_from_db()
    assert first.status == Submission.Status.ACCEPTED
    assert StatRow.objects.filter(submission=first).count() == 50
    assert not StatRow.objects.filter(submission=sub).exists()
    assert sub.status == Submission.Status.REJECTED and sub.error_count == 1


@pytest.mark.django_db
def test_import_is_idempotent(tmp_path):
    org = OrganisationFactory()
    sub = upload(org, write(tmp_path, csv_text(good_rows(5)))).submission
    again = services.submission_import(sub.pk).submission
    assert again.status == Submission.Status.ACCEPTED
    assert StatRow.objects.filter(submission=sub).count() == 5
