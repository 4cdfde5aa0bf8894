"""HTTP plumbing shared by the domain rooms: request ids and access logs (later: SSE, auth, rate limits)."""
