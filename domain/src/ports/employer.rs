//! The Employer API port (upstreams.md U5; portal.md P6, P7): jobs and applications.
