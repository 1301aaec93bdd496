//! The open sampling heap profiles, documents of their own beside the snapshots: the one
//! shown, and those being read (a job each). Files that are profiles are taken out of an
//! Open before the snapshot loader sees them.

use super::effects::Effects;
use super::job_output::JobOutput;
use super::jobs::{JobKey, Jobs};
use super::profiles::{OpenProfile, ProfileId, is_heap_profile};
use super::settings::{Settings, Tab};
use std::path::PathBuf;

/// Reads as a slice of the open profiles.
#[derive(Default)]
pub struct Profiles {
    list: Vec<OpenProfile>,
    /// The profile shown.
    pub current: Option<ProfileId>,
    next_id: u32,
    loading: Vec<(ProfileId, PathBuf)>,
}

impl std::ops::Deref for Profiles {
    type Target = [OpenProfile];
    fn deref(&self) -> &[OpenProfile] {
        &self.list
    }
}

impl Profiles {
    /// Starts reading the profiles among `files`; returns the rest (snapshots).
    pub fn open(&mut self, files: Vec<PathBuf>, jobs: &mut Jobs) -> (Vec<PathBuf>, Effects) {
        let (profiles, rest): (Vec<PathBuf>, Vec<PathBuf>) =
            files.into_iter().partition(|f| is_heap_profile(f));
        let mut fx = Effects::none();
        for path in profiles {
            let want = crate::paths::canonical(&path);
            let open = self
                .list
                .iter()
                .find(|p| crate::paths::canonical(&p.path) == want);
            if let Some(p) = open {
                self.current = Some(p.id);
                fx = fx.and(Effects::status(format!("{} is already open", p.name)));
                fx.tab = Some(Tab::Profile);
                continue;
            }
            if self.loading.iter().any(|(_, p)| p == &path) {
                continue;
            }
            self.next_id += 1;
            let id = ProfileId(self.next_id);
            self.loading.push((id, path.clone()));
            let name = crate::paths::display_name(&path);
            fx = fx.and(Effects::status(format!("Reading the heap profile {name}…")));
            jobs.spawn(JobKey::LoadProfile(id), move |_| JobOutput::ProfileLoaded {
                result: Box::new(OpenProfile::load(id, path.clone())),
                path,
            });
        }
        (rest, fx)
    }

    /// A profile read (shown at once), or why not. The path goes into the recent files.
    pub fn loaded(
        &mut self,
        path: PathBuf,
        r: Result<OpenProfile, String>,
        settings: &mut Settings,
    ) -> Effects {
        self.loading.retain(|(_, l)| l != &path);
        match r {
            Ok(p) => {
                settings.remember(&p.path);
                let fx = Effects::status(format!("Opened the heap profile {}", p.name));
                self.current = Some(p.id);
                self.list.push(p);
                fx.with_tab(Tab::Profile)
            }
            // The error strip says it; the status line no longer says "Reading".
            Err(e) => Effects::status("").and(Effects::error(e)),
        }
    }

    /// Reading a profile ended without it (a panic): it no longer waits.
    pub fn failed(&mut self, key: JobKey) {
        self.loading.retain(|(p, _)| key != JobKey::LoadProfile(*p));
    }

    pub fn is_loading(&self, id: ProfileId) -> bool {
        self.loading.iter().any(|(p, _)| *p == id)
    }

    pub fn current(&self) -> Option<&OpenProfile> {
        let id = self.current?;
        self.list.iter().find(|p| p.id == id)
    }

    pub fn current_mut(&mut self) -> Option<&mut OpenProfile> {
        let id = self.current?;
        self.list.iter_mut().find(|p| p.id == id)
    }

    /// Shows `id`, if it is open.
    pub fn show(&mut self, id: ProfileId) -> Effects {
        if !self.list.iter().any(|p| p.id == id) {
            return Effects::none();
        }
        self.current = Some(id);
        Effects::none().with_tab(Tab::Profile)
    }

    pub fn close(&mut self, id: ProfileId) {
        let Some(pos) = self.list.iter().position(|p| p.id == id) else {
            return;
        };
        self.list.remove(pos);
        if self.current == Some(id) {
            let next = pos.min(self.list.len().saturating_sub(1));
            self.current = self.list.get(next).map(|p| p.id);
        }
    }
}
