//! One call's sandbox: a fresh store per call with its fuel, time and memory caps, and the
//! failure a call that breaks one of them ends in.

use wasmtime::Store;
use wasmtime::component::ResourceTable;

use crate::bindings::{self, QuestionnairePre};
use crate::error::{HOSTCALL_FUEL_EXHAUSTED, encoding_fault};
use crate::{Call, EPOCH_TICK, Host, PluginError};

pub(crate) struct State {
    limiter: MemoryLimiter,
    // Required by the component model's resource machinery; plugins use no resources.
    _table: ResourceTable,
}

/// Bytes a table element is counted for: a pointer, wasmtime's funcref.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// Caps what one instance holds, all its memories and tables together, and
/// remembers a refused request, so the error names the size asked for rather
/// than a generic trap. One store holds exactly one plugin instance (see
/// `Host::call`), so the store's total is the instance's.
struct MemoryLimiter {
    cap: usize,
    /// Bytes granted so far to every memory and table of the store.
    total: usize,
    /// The last growth granted, `(current, desired)` in bytes, taken back if
    /// wasmtime then fails to grow.
    granted: Option<(usize, usize)>,
    refused: Option<usize>,
}

impl MemoryLimiter {
    fn new(cap: usize) -> Self {
        MemoryLimiter {
            cap,
            total: 0,
            granted: None,
            refused: None,
        }
    }

    /// Grants growing one memory or table from `current` to `desired` bytes
    /// if the instance's total stays under the cap.
    fn grow(&mut self, current: usize, desired: usize) -> wasmtime::Result<bool> {
        let total = self.total.saturating_sub(current).saturating_add(desired);
        if total > self.cap {
            self.refused = Some(total);
            // An error (not `Ok(false)`) traps at once: a plugin cannot ignore it.
            return Err(wasmtime::Error::msg("memory cap reached"));
        }
        self.total = total;
        self.granted = Some((current, desired));
        Ok(true)
    }

    fn grow_failed(&mut self) {
        if let Some((current, desired)) = self.granted.take() {
            self.total = self.total.saturating_sub(desired).saturating_add(current);
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(current, desired)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed();
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > 100_000 {
            return Ok(false);
        }
        self.grow(
            current.saturating_mul(TABLE_ELEMENT_BYTES),
            desired.saturating_mul(TABLE_ELEMENT_BYTES),
        )
    }

    fn table_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        self.grow_failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        64
    }
    fn tables(&self) -> usize {
        64
    }
    fn memories(&self) -> usize {
        4
    }
}

impl Host {
    fn store(&self) -> Store<State> {
        let mut store = Store::new(
            &self.engine,
            State {
                limiter: MemoryLimiter::new(self.limits.memory_bytes),
                _table: ResourceTable::new(),
            },
        );
        store.limiter(|s| &mut s.limiter);
        store.set_hostcall_fuel(self.limits.transfer_bytes);
        // Fuel is only refused when set above the engine's maximum; the
        // budget is ours, so this cannot fail in practice and would only
        // leave the store with no fuel (every call then stops at once).
        let _ = store.set_fuel(self.limits.fuel);
        // One tick more than the limit: the first tick may come at once.
        let ticks = self.limits.time.as_nanos().div_ceil(EPOCH_TICK.as_nanos()) + 1;
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        store
    }

    pub(crate) fn call<T>(
        &self,
        pre: &QuestionnairePre<State>,
        label: &str,
        call: Call,
        f: impl FnOnce(&bindings::Questionnaire, &mut Store<State>) -> wasmtime::Result<T>,
    ) -> Result<T, PluginError> {
        let mut store = self.store();
        let result = pre
            .instantiate(&mut store)
            .map_err(|e| (Call::Instantiate, e))
            .and_then(|bindings| f(&bindings, &mut store).map_err(|e| (call, e)));
        result.map_err(|(call, error)| self.classify(label, call, &store, error))
    }

    fn classify(
        &self,
        label: &str,
        call: Call,
        store: &Store<State>,
        error: wasmtime::Error,
    ) -> PluginError {
        let plugin = label.to_string();
        if let Some(requested) = store.data().limiter.refused {
            return PluginError::MemoryCap {
                plugin,
                call,
                requested,
                cap: self.limits.memory_bytes,
            };
        }
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(wasmtime::Trap::OutOfFuel) => PluginError::OutOfFuel {
                plugin,
                call,
                budget: self.limits.fuel,
            },
            Some(wasmtime::Trap::Interrupt) => PluginError::Timeout {
                plugin,
                call,
                limit: self.limits.time,
            },
            Some(wasmtime::Trap::StackOverflow) => PluginError::StackOverflow {
                plugin,
                call,
                stack: self.limits.stack_bytes,
            },
            Some(trap) => PluginError::Trap {
                plugin,
                call,
                detail: trap.to_string(),
            },
            // Instantiation fails without a trap only on the instance,
            // memory or table counts of `MemoryLimiter`: no data crossed yet.
            None if call == Call::Instantiate => PluginError::Trap {
                plugin,
                call,
                detail: format!("{error:#}"),
            },
            // Not a trap of the plugin's code: the canonical ABI refused
            // what the plugin handed the host.
            None => {
                let detail = format!("{error:#}");
                if detail.contains(HOSTCALL_FUEL_EXHAUSTED) {
                    return PluginError::TransferLimit {
                        plugin,
                        call,
                        limit: self.limits.transfer_bytes,
                    };
                }
                PluginError::BadEncoding {
                    plugin,
                    call,
                    fault: encoding_fault(&error, &detail),
                    detail,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryLimiter;
    use wasmtime::ResourceLimiter;

    const MIB: usize = 1 << 20;

    #[test]
    fn memory_limiter_caps_the_total_of_every_memory_and_table() {
        let mut limiter = MemoryLimiter::new(64 * MIB);
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_ok());
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_ok());
        // A third memory would pass a per-memory cap, not the total.
        assert!(limiter.memory_growing(0, 30 * MIB, None).is_err());
        assert_eq!(limiter.refused, Some(90 * MIB));
        // Growing one memory counts only the difference.
        assert!(limiter.memory_growing(30 * MIB, 33 * MIB, None).is_ok());
        assert_eq!(limiter.total, 63 * MIB);
        // Tables count too, one pointer per element: with a full table,
        // half a MiB more memory no longer fits.
        assert!(
            limiter
                .table_growing(0, 100_000, None)
                .is_ok_and(|granted| granted)
        );
        assert!(
            limiter
                .memory_growing(33 * MIB, 33 * MIB + MIB / 2, None)
                .is_err()
        );
    }

    #[test]
    fn failed_growth_is_given_back() {
        let mut limiter = MemoryLimiter::new(64 * MIB);
        assert!(limiter.memory_growing(0, 40 * MIB, None).is_ok());
        assert!(limiter.memory_growing(40 * MIB, 60 * MIB, None).is_ok());
        assert!(
            limiter
                .memory_grow_failed(wasmtime::Error::msg("no address space"))
                .is_ok()
        );
        assert_eq!(limiter.total, 40 * MIB);
        assert!(limiter.memory_growing(0, 20 * MIB, None).is_ok());
    }
}
