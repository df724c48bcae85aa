-- wrk: creating access tokens with a bearer token (scripts/bench). Each creation writes a token
-- and its audit event: the figure shows what the audit trail costs a write.
wrk.method = "POST"
wrk.body = '{"lifetimeSeconds": 3600, "description": "bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
