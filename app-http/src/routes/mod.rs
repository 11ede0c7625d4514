//! The OpenAPI operations, one module per area of http-api.md H1.

pub mod admin_login;
pub mod allocate;
pub mod allocations;
pub mod availability;
pub mod box_folder;
pub mod closures;
pub mod eh_oauth;
pub mod lookups;
pub mod overrides;
pub mod portal;
pub mod service;
pub mod sync;

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
    /// Portal accounts: register, login, logout, the directory.
    PortalAccounts,
    /// Portal profile and photo.
    PortalProfile,
    /// Portal jobs, match scores and the dashboard.
    PortalJobs,
    /// Portal job applications.
    PortalApplications,
    /// Portal administration.
    PortalAdmin,
    /// Portal connections and connection requests.
    PortalConnections,
    /// Portal chat over HTTP (the WebSocket is not in this document).
    PortalChat,
}

/// The allocation side's APIs (H1, H2).
pub type AllocationApis = (
    allocate::AllocateApi,
    box_folder::BoxFolderApi,
    sync::SyncApi,
    allocations::AllocationsApi,
    availability::AvailabilityApi,
    service::ServiceApi,
    closures::ClosuresApi,
    overrides::OverridesApi,
    lookups::LookupsApi,
);

/// Every API, for `OpenApiService::new`: nested tuples (poem-openapi implements `OpenApi` for
/// tuples of bounded length), one per side of the product.
pub fn apis() -> (AllocationApis, portal::PortalApis) {
    (
        (
            allocate::AllocateApi,
            box_folder::BoxFolderApi,
            sync::SyncApi,
            allocations::AllocationsApi,
            availability::AvailabilityApi,
            service::ServiceApi,
            closures::ClosuresApi,
            overrides::OverridesApi,
            lookups::LookupsApi,
        ),
        portal::apis(),
    )
}
