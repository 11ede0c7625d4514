//! The offline HR directory (demo mode, upstreams.md U6): every scenario adviser as an employee
//! and their leave as approved leave requests, on one page.

use async_trait::async_trait;
use domain::allocation::Activity;
use domain::ports::{
    Employee, HrDirectory, HrError, Listing, OnPage, PageProgress, UpstreamLeaveRequest,
};
use scenario::Scenario;

#[derive(Clone, Debug, Default)]
pub struct ScenarioHr {
    employees: Vec<Employee>,
    leave: Vec<UpstreamLeaveRequest>,
}

impl ScenarioHr {
    pub fn from_scenario(scenario: &Scenario) -> ScenarioHr {
        let mut hr = ScenarioHr::default();
        for (i, adviser) in scenario.firm.advisers.iter().enumerate() {
            let employee_id = format!("emp-{}", i + 1);
            let profile = &adviser.profile;
            hr.employees.push(Employee {
                employee_id: employee_id.clone(),
                name: profile
                    .name
                    .clone()
                    .unwrap_or_else(|| profile.email.clone()),
                company_email: Some(profile.email.clone()),
                account_email: None,
            });
            let Activity::Available(data) = &adviser.activity else {
                continue;
            };
            for (j, leave) in data.leave.iter().enumerate() {
                hr.leave.push(UpstreamLeaveRequest {
                    leave_request_id: leave
                        .id
                        .clone()
                        .unwrap_or_else(|| format!("leave-{}-{}", i + 1, j + 1)),
                    employee_id: employee_id.clone(),
                    start_date: leave.start_date.clone().unwrap_or_default(),
                    end_date: leave.end_date.clone().unwrap_or_default(),
                    status: "Approved".to_owned(),
                    leave_category: Some("Annual Leave".to_owned()),
                });
            }
        }
        hr
    }
}

fn one_page<T: Clone>(items: &[T], on_page: OnPage<'_>) -> Listing<T> {
    on_page(PageProgress {
        page: 1,
        total_pages: 1,
        items: items.len(),
    });
    Listing {
        items: items.to_vec(),
        pages: 1,
    }
}

#[async_trait]
impl HrDirectory for ScenarioHr {
    async fn employees<'a>(&self, on_page: OnPage<'a>) -> Result<Listing<Employee>, HrError> {
        Ok(one_page(&self.employees, on_page))
    }

    async fn leave_requests<'a>(
        &self,
        on_page: OnPage<'a>,
    ) -> Result<Listing<UpstreamLeaveRequest>, HrError> {
        Ok(one_page(&self.leave, on_page))
    }
}
