"""Schemathesis hooks for scripts/check-openapi: keep the run's own identity out of the test.

The run authenticates as one admin with a bearer token. Every request the document allows is fair
game, but a few would end the run's own ability to test rather than test anything:

- demoting, disabling or renaming the run's own account (PATCH /v4/people/{its id}) goes to a
  stand-in member's account instead, which tests the same operation;
- deleting the run's own account (DELETE /v4/people/{its id}) goes to an id nobody has;
- deleting or rotating the run's own token (DELETE /v4/apiAccessTokens/{its id}, POST .../rotate)
  goes to a token id that does not exist;
- a workspace settings change is tried, then undone: the document cannot say that the workspace's
  maximum lifetime bounds a new token's, so later requests are judged against the defaults it
  documents (tokens on, admins only, no maximum);
- a token rotated in the run is gone (with no grace period) or going: later requests that name it
  name its successor instead. Schemathesis keeps a created token's id to reuse, and cannot know that
  a rotation (a POST, not a DELETE) ends it, so it would take the 404 for a token it "just created"
  for an error (ST302);
- for the same reason a leaked-token report names no token the run made (it would revoke it): the
  report goes out with a value that is no token, and gets the same answer;
- and a token the run deleted is gone: schemathesis reuses ids it saw in earlier answers, and takes
  the 404 for one it deleted long before, right after an unrelated creation, for a token it "just
  created" (ST302). A request naming a deleted token names the newest token the run made that is
  still there instead (the operation is tested all the same, on a live token).
"""

import os
import uuid

import requests
import schemathesis

BASE = os.environ["CHECK_OPENAPI_BASE"]
ADMIN = (os.environ["CHECK_OPENAPI_ADMIN"], os.environ["CHECK_OPENAPI_PASSWORD"])
OWN_ID = os.environ["CHECK_OPENAPI_OWN_ID"]
OWN_TOKEN_ID = os.environ["CHECK_OPENAPI_OWN_TOKEN_ID"]
STAND_IN_ID = os.environ["CHECK_OPENAPI_STAND_IN_ID"]
# Tokens rotated in the run, by id: the id of the token that replaced each.
SUCCESSORS = {}
# The values of the tokens the run made.
MADE = set()
# The ids of the tokens the run made that are still there, newest last; and of those it deleted.
LIVE = []
DELETED = set()
DEFAULTS = {
    "accessTokensEnabled": True,
    "allowMembersToGenerateTokens": False,
    "maxTokenLifetimeDays": -1,
    "maxActiveTokensPerPerson": -1,
    "auditRetentionDays": 365,
    "revokeUnusedAfterDays": -1,
}


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method == "PATCH" and case.path == "/v4/people/{id}":
        if str(case.path_parameters.get("id")) == OWN_ID:
            case.path_parameters["id"] = STAND_IN_ID
    if case.method == "DELETE" and case.path == "/v4/people/{id}":
        if str(case.path_parameters.get("id")) == OWN_ID:
            case.path_parameters["id"] = "999999999"
    naming_a_token = ("/v4/apiAccessTokens/{tokenId}", "/v4/apiAccessTokens/{tokenId}/rotate")
    if case.path in naming_a_token:
        token_id = str(case.path_parameters.get("tokenId")).lower()
        while token_id in SUCCESSORS:
            token_id = SUCCESSORS[token_id]
        if token_id in DELETED and LIVE:
            token_id = LIVE[-1]
        if token_id != str(case.path_parameters.get("tokenId")).lower():
            case.path_parameters["tokenId"] = token_id
    if case.method == "POST" and case.path == "/v4/apiAccessTokens/revoke" and isinstance(case.body, dict):
        value = case.body.get("tokenValue")
        if isinstance(value, str) and value in MADE:
            case.body["tokenValue"] = "atk_reported-by-schemathesis"
    own_token = (("DELETE", "/v4/apiAccessTokens/{tokenId}"), ("POST", "/v4/apiAccessTokens/{tokenId}/rotate"))
    if (case.method, case.path) in own_token:
        if str(case.path_parameters.get("tokenId")).lower() == OWN_TOKEN_ID:
            case.path_parameters["tokenId"] = str(uuid.uuid4())


@schemathesis.hook
def after_call(context, case, response):
    if case.method == "POST" and response.status_code == 201 and case.path.startswith("/v4/apiAccessTokens"):
        MADE.add(response.json().get("tokenValue"))
        LIVE.append(response.json()["tokenInfo"]["tokenId"].lower())
    if case.method == "POST" and case.path == "/v4/apiAccessTokens/{tokenId}/rotate" and response.status_code == 201:
        rotated = str(case.path_parameters.get("tokenId")).lower()
        SUCCESSORS[rotated] = response.json()["tokenInfo"]["tokenId"].lower()
        if rotated in LIVE:
            LIVE.remove(rotated)
    if case.method == "DELETE" and case.path == "/v4/apiAccessTokens/{tokenId}" and response.status_code == 204:
        deleted = str(case.path_parameters.get("tokenId")).lower()
        DELETED.add(deleted)
        if deleted in LIVE:
            LIVE.remove(deleted)
    if case.method == "PATCH" and case.path == "/v4/workspaces/current/settings" and response.status_code == 200:
        restored = requests.patch(f"{BASE}/v4/workspaces/current/settings", json=DEFAULTS, auth=ADMIN, timeout=10)
        restored.raise_for_status()
