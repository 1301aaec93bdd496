//! Opening, showing and closing sampling heap profiles: files that are profiles are taken
//! out of an Open before the snapshot loader sees them and read by a job each.

use super::app_state::AppState;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::profiles::{OpenProfile, ProfileId, is_heap_profile};
use super::settings::Tab;
use std::path::PathBuf;

impl AppState {
    /// Starts reading the profiles among `files`; returns the rest (snapshots).
    pub(super) fn open_profiles(&mut self, files: Vec<PathBuf>, jobs: &mut Jobs) -> Vec<PathBuf> {
        let (profiles, rest): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|f| is_heap_profile(f));
        for path in profiles {
            let want = super::loader::canonical(&path);
            let open = self
                .profiles
                .iter()
                .find(|p| super::loader::canonical(&p.path) == want);
            if let Some(p) = open {
                self.current_profile = Some(p.id);
                self.tab = Tab::Profile;
                self.status = format!("{} is already open", p.name);
                continue;
            }
            if self.loading_profiles.contains(&path) {
                continue;
            }
            let id = ProfileId(self.next_profile_id);
            self.next_profile_id += 1;
            self.loading_profiles.push(path.clone());
            self.status = format!(
                "Reading the heap profile {}…",
                super::loader::display_name(&path)
            );
            jobs.spawn(JobKey::LoadProfile(id), move |_| JobOutput::ProfileLoaded {
                result: Box::new(OpenProfile::load(id, path.clone())),
                path,
            });
        }
        rest
    }

    pub(super) fn profile_loaded(&mut self, path: PathBuf, r: Result<OpenProfile, String>) {
        self.loading_profiles.retain(|l| l != &path);
        match r {
            Ok(p) => {
                self.settings.remember(&p.path);
                self.status = format!("Opened the heap profile {}", p.name);
                self.current_profile = Some(p.id);
                self.profiles.push(p);
                self.tab = Tab::Profile;
                self.auto_tab = None;
            }
            Err(e) => {
                // The error strip says it; the status line no longer says "Reading".
                self.status.clear();
                self.errors.push(e);
            }
        }
    }

    pub fn current_profile(&self) -> Option<&OpenProfile> {
        let id = self.current_profile?;
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn current_profile_mut(&mut self) -> Option<&mut OpenProfile> {
        let id = self.current_profile?;
        self.profiles.iter_mut().find(|p| p.id == id)
    }

    pub(super) fn show_profile(&mut self, id: ProfileId) {
        if self.profiles.iter().any(|p| p.id == id) {
            self.current_profile = Some(id);
            self.tab = Tab::Profile;
        }
    }

    pub(super) fn close_profile(&mut self, id: ProfileId) {
        let Some(pos) = self.profiles.iter().position(|p| p.id == id) else {
            return;
        };
        self.profiles.remove(pos);
        if self.current_profile == Some(id) {
            let next = pos.min(self.profiles.len().saturating_sub(1));
            self.current_profile = self.profiles.get(next).map(|p| p.id);
        }
    }
}
