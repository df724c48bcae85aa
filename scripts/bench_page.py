"""Seeds people with 10 and 10,000 tokens through the REST API, signs each in, and times the
server-side rendering of their Access Tokens page. Called by scripts/bench-page."""

import base64
import html
import http.client
import json
import os
import re
import statistics
import time
import urllib.parse

BASE = urllib.parse.urlsplit(os.environ["BASE"])
ADMIN = ("admin", os.environ["ADMIN_PASSWORD"])
REQUESTS = int(os.environ["REQUESTS"])
LABEL = os.environ["LABEL"]


def connect():
    return http.client.HTTPConnection(BASE.hostname, BASE.port)


def call(connection, method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def seed(connection, username, count):
    password = "bench-person-password"
    person = json.dumps({"username": username, "name": username, "password": password, "isAdmin": True})
    response, body = call(connection, "POST", "/v4/people", person,
                          {"Authorization": basic(*ADMIN), "Content-Type": "application/json"})
    assert response.status == 201, body
    # One creation with the password, the rest with that token: Argon2 once, not 10,000 times.
    headers = {"Authorization": basic(username, password), "Content-Type": "application/json"}
    for index in range(count):
        # The first, made with the password, outlives the rest: a token cannot make one that outlives it.
        days = 31 if index == 0 else 30
        token = json.dumps({"lifetimeSeconds": days * 86400, "description": f"bench token {index}"})
        response, body = call(connection, "POST", "/v4/apiAccessTokens", token, headers)
        assert response.status == 201, body
        if index == 0:
            headers["Authorization"] = "Bearer " + json.loads(body)["tokenValue"]
    return password


def sign_in(connection, username, password):
    form = urllib.parse.urlencode({"username": username, "password": password})
    response, body = call(connection, "POST", "/api/sign_in", form, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Origin": f"http://{BASE.netloc}",
    })
    assert response.status == 200, (response.status, body)
    return response.getheader("Set-Cookie").split(";")[0]


def time_page(connection, cookie, path):
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response, body = call(connection, "GET", path, headers={"Cookie": cookie})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status == 200 and b"<table" in body, response.status
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return f"min {timings[0]:6.2f} ms   median {statistics.median(timings):6.2f} ms   p95 {p95:6.2f} ms   {len(body):>7,} bytes"


def last_page(connection, cookie):
    """The last page's address, reached as a reader would: by the pager's "Older" links."""
    path = "/preferences/access-tokens"
    while True:
        _, body = call(connection, "GET", path, headers={"Cookie": cookie})
        found = re.search(r'<a href="([^"]+)" rel="next"', body.decode())
        if not found:
            return path
        path = html.unescape(found.group(1))


connection = connect()
for count in (10, 10_000):
    username = f"bench{count}"
    started = time.perf_counter()
    password = seed(connection, username, count)
    seeded = time.perf_counter() - started
    cookie = sign_in(connection, username, password)
    pages = [("first page", "/preferences/access-tokens")]
    if count > 100:
        pages.append(("last page", last_page(connection, cookie)))
    for name, path in pages:
        print(f"{LABEL:9} {count:>6,} tokens, {name:10}: {time_page(connection, cookie, path)}   (seeded in {seeded:.1f} s)", flush=True)
