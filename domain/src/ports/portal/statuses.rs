//! The two status machines of an application (portal.md P7.6, P7.7). The stores apply them as
//! conditional updates, so the rules are written once, here.

/// P7.6: `submitted` → `withdrawn` is the only transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    Submitted,
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 2] =
        [ApplicationStatus::Submitted, ApplicationStatus::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// P7.9: only a submitted application can be withdrawn; `withdrawn` is terminal.
    pub fn can_withdraw(self) -> bool {
        self == ApplicationStatus::Submitted
    }
}

/// P7.7: where the copy sent to the Employer API stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RemoteStatus {
    Pending,
    Sent,
    Retrying,
    Rejected,
    Failed,
    Cancelled,
}

impl RemoteStatus {
    pub const ALL: [RemoteStatus; 6] = [
        RemoteStatus::Pending,
        RemoteStatus::Sent,
        RemoteStatus::Retrying,
        RemoteStatus::Rejected,
        RemoteStatus::Failed,
        RemoteStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteStatus::Pending => "pending",
            RemoteStatus::Sent => "sent",
            RemoteStatus::Retrying => "retrying",
            RemoteStatus::Rejected => "rejected",
            RemoteStatus::Failed => "failed",
            RemoteStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RemoteStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The transitions an attempt to send (the one after apply, or the outbox worker's) may
    /// record: `pending` → `sent` | `rejected` | `retrying`; `retrying` → `sent` | `rejected` |
    /// `retrying` | `failed`. Withdrawal and the admin resend have their own rules below.
    pub fn can_record(self, next: RemoteStatus) -> bool {
        use RemoteStatus::*;
        matches!(
            (self, next),
            (Pending, Sent | Rejected | Retrying) | (Retrying, Sent | Rejected | Retrying | Failed)
        )
    }

    /// The statuses an attempt may leave for `next` (the WHERE clause of the store's update).
    pub fn recordable_sources(next: RemoteStatus) -> Vec<RemoteStatus> {
        Self::ALL
            .into_iter()
            .filter(|from| from.can_record(next))
            .collect()
    }

    /// P7.9: withdrawal cancels a send that has not ended.
    pub fn after_withdrawal(self) -> RemoteStatus {
        match self {
            RemoteStatus::Pending | RemoteStatus::Retrying => RemoteStatus::Cancelled,
            other => other,
        }
    }

    /// P10.4: only `failed` or `rejected` may be resent (and only while the application is
    /// `submitted`).
    pub fn can_resend(self) -> bool {
        matches!(self, RemoteStatus::Failed | RemoteStatus::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(s.as_str()), Some(s));
        }
        for s in RemoteStatus::ALL {
            assert_eq!(RemoteStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(RemoteStatus::parse("Sent"), None);
    }

    #[test]
    fn final_states_are_final() {
        for next in RemoteStatus::ALL {
            assert!(!RemoteStatus::Sent.can_record(next));
            assert!(!RemoteStatus::Cancelled.can_record(next));
            assert!(
                !RemoteStatus::Failed.can_record(next),
                "only the admin resend"
            );
            assert!(
                !RemoteStatus::Rejected.can_record(next),
                "only the admin resend"
            );
        }
        assert_eq!(
            RemoteStatus::recordable_sources(RemoteStatus::Failed),
            [RemoteStatus::Retrying]
        );
        assert_eq!(
            RemoteStatus::Retrying.after_withdrawal(),
            RemoteStatus::Cancelled
        );
        assert_eq!(RemoteStatus::Sent.after_withdrawal(), RemoteStatus::Sent);
    }
}
