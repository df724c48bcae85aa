-- wrk: the sign-in page's server function, as the browser posts it (scripts/bench).
wrk.method = "POST"
wrk.body = "username=admin&password=bench-admin-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Sec-Fetch-Site"] = "same-origin"
