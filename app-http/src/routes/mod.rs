//! The OpenAPI operations, one module per area of http-api.md H1.

pub mod admin_login;
pub mod allocate;
pub mod allocations;
pub mod availability;
pub mod closures;
pub mod lookups;
pub mod overrides;
pub mod service;

use poem_openapi::Tags;

#[derive(Debug, Tags)]
pub enum ApiTags {
    /// HubSpot workflow webhooks (signed).
    Webhooks,
    /// Office closures.
    Closures,
    /// Capacity overrides.
    CapacityOverrides,
    /// Allocation history and dry runs.
    Allocations,
    /// Adviser availability.
    Availability,
    /// Employment Hero sync and lookups.
    Employees,
    /// Health and readiness.
    Service,
}

/// Every API, for `OpenApiService::new`.
pub fn apis() -> (
    allocate::AllocateApi,
    allocations::AllocationsApi,
    availability::AvailabilityApi,
    service::ServiceApi,
    closures::ClosuresApi,
    overrides::OverridesApi,
    lookups::LookupsApi,
) {
    (
        allocate::AllocateApi,
        allocations::AllocationsApi,
        availability::AvailabilityApi,
        service::ServiceApi,
        closures::ClosuresApi,
        overrides::OverridesApi,
        lookups::LookupsApi,
    )
}
