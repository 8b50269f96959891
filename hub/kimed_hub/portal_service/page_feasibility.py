"""``POST datasets/<id>/feasibility``: the feasibility form's question, answered on the
dataset's page.

The form's rows go to the same library call as the API's
(``interop.feasibility_service.FeasibilityService.ask``): consent-filtered population,
protected count, quota on the audit log, one audit event. The page shows the answer (or
what was wrong) under the form, with every value as typed.
"""

from __future__ import annotations

from tornado import web

from ..errors import BadInput, PortalError
from . import feasibility_form
from .auth import QUERY_FEASIBILITY, READ_CATALOGUE
from .pages import SLUG, DatasetPage


class FeasibilityPage(DatasetPage):
    """Ask the question of the posted form; show the dataset page with the answer."""

    @web.authenticated
    async def post(self, identifier: str) -> None:
        self.require(READ_CATALOGUE, QUERY_FEASIBILITY)
        values = self.form_values()
        body, problems = feasibility_form.parse_form(values)
        try:
            if problems:
                raise BadInput("The form is not complete:\n" + "\n".join(problems))
            service = self.portal.feasibility
            answer = await self.call(service.ask, self.actor().name, identifier, body)
        except PortalError as error:
            self.set_status(error.http_status)
            return await self.show(identifier, values=values, error=error)
        await self.show(identifier, values=values, answer=answer)


ROUTES = [(f"datasets/{SLUG}/feasibility", FeasibilityPage)]
