//! Changing and deleting the evidence and the action items of an assessment, for the
//! workbench and the command line alike. Each write says which version of the record the
//! auditor saw: the store refuses it when someone else changed or deleted the record
//! meanwhile ([`vigie_store::StoreError::StaleRecord`]), and audits it otherwise.

use vigie_store::{ActionItem, ActionItemUpdate, Evidence, NewEvidence};

use crate::workbench::{AppResult, Workbench};

impl Workbench {
    /// Replaces what `seen` says with `new` (a draft assessment only).
    pub fn update_evidence(&self, seen: &Evidence, new: &NewEvidence) -> AppResult<Evidence> {
        Ok(self.store.update_evidence(seen, new)?)
    }

    /// Deletes `seen` (a draft assessment only); the audit trail keeps it.
    pub fn delete_evidence(&self, seen: &Evidence) -> AppResult<()> {
        Ok(self.store.delete_evidence(seen)?)
    }

    /// Changes `seen` by `update`, also on a final assessment (the plan is followed after).
    pub fn update_action_item_seen(
        &self,
        seen: &ActionItem,
        update: &ActionItemUpdate,
    ) -> AppResult<ActionItem> {
        Ok(self.store.update_action_item_seen(seen, update)?)
    }

    /// Deletes `seen` (a draft assessment only); the audit trail keeps it.
    pub fn delete_action_item(&self, seen: &ActionItem) -> AppResult<()> {
        Ok(self.store.delete_action_item(seen)?)
    }
}
