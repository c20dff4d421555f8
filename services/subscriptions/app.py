"""The subscriptions service's app: its routes, bus consumers and background loops."""

from __future__ import annotations

from fastapi import FastAPI

from services.subscriptions import (
    contacts,
    import_review,
    import_routes,
    lists,
    projects,
    public,
    subscriptions_api,
    suppressions,
)
from services.subscriptions.feedback import FEEDBACK_QUEUE, feedback_handler
from services.subscriptions.import_runner import ImportRunner
from services.subscriptions.settings import SubscriptionsSettings
from services.subscriptions.sunset import sunset_loop
from services.subscriptions.tasks import resume_loop
from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings


def service_spec(
    sub_settings: SubscriptionsSettings | None = None, runner: ImportRunner | None = None
) -> ServiceSpec:
    ss = sub_settings or SubscriptionsSettings()
    runner = runner or ImportRunner(ss)
    return ServiceSpec(
        name="subscriptions",
        title="Sesame subscriptions",
        # Hot routes first: FastAPI tries the included routers in order, each route pattern of each (twice: to
        # match, then to pick), and the public signup is the one path under load.
        routers=[
            public.router,
            projects.router,
            projects.admin,
            lists.router,
            contacts.router,
            subscriptions_api.router,
            suppressions.router,
            import_routes.router,
            import_review.router,
        ],
        consumers=[(FEEDBACK_QUEUE, feedback_handler)],
        tasks=[resume_loop(ss.resume_interval_seconds), sunset_loop(ss.sunset_interval_seconds), runner.supervise],
        on_startup=[runner.recover],
        body_limits=[
            (r"/v1/lists/\d+/imports", ss.import_max_bytes),
            (r"/v1/suppressions/import", ss.suppression_csv_max_bytes),
        ],
    )


def create_app(
    *,
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    sub_settings: SubscriptionsSettings | None = None,
) -> FastAPI:
    ss = sub_settings or SubscriptionsSettings()
    runner = ImportRunner(ss)
    app = build_app(service_spec(ss, runner), settings=settings, runtime=runtime)
    app.state.sub_settings = ss
    app.state.import_runner = runner
    return app
