/**
 * x:* objects the generic dynamic provider cannot manage as declarative state, with the reason:
 * the one hand-kept list. They stay in table.json (the provider and the test double may still read
 * their shape) but get no typed class; the generator writes this list to
 * components/stalwart/generated/excluded.ts, which StalwartObject reads at run time. The facts
 * file's `handler` says which objects need a decision (MANAGEABLE_HANDLERS below).
 */
export const EXCLUDED_OBJECTS: Readonly<Record<string, string>> = {
    "x:AccountPassword": "self-service password change of the calling account; needs the current secret",
    "x:Action": "create-only command (reload, troubleshoot, …); /get never returns it",
    "x:ArchivedItem": "runtime archive of deleted mail; custom handler, enterprise licence",
    "x:ArfExternalReport": "received report; custom report handler, not configuration",
    "x:Bootstrap": "usable only in bootstrap mode, before the settings database exists",
    "x:ClusterNode": "read-only view of cluster node leases",
    "x:DmarcExternalReport": "received report; custom report handler, not configuration",
    "x:DmarcInternalReport": "outgoing report queue; custom report handler, not configuration",
    "x:Log": "read-only view of log files",
    "x:Metric": "read-only telemetry; enterprise licence",
    "x:QueuedMessage": "runtime mail queue entry; custom handler",
    "x:SpamTrainingSample": "runtime spam-classifier sample; custom handler",
    "x:Task": "runtime background task; custom handler",
    "x:TlsExternalReport": "received report; custom report handler, not configuration",
    "x:TlsInternalReport": "outgoing report queue; custom report handler, not configuration",
    "x:Trace": "read-only telemetry; enterprise licence",
};

/**
 * Facts-file handlers the generic provider works with. An object with any other handler must be
 * listed in EXCLUDED_OBJECTS, so a new custom handler in a Stalwart upgrade forces a decision.
 */
export const MANAGEABLE_HANDLERS: readonly string[] = ["generic", "account_self", "account_credential"];
