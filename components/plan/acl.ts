/**
 * The tailnet policy fragment the deployment needs: tag owners and three kinds of grants. It is
 * rendered as commented HuJSON for an operator to merge into the tailnet policy file by hand,
 * because a `tailscale.Acl` resource owns (and overwrites) the whole policy. Its input is Settings
 * values that parseSettings has checked (tags, principals, ports, distinct tags): nothing here
 * validates them again.
 */
export interface AclInput {
    stalwartTags: string[];
    edgeTags: string[];
    mailPorts: number[];
    /** who may reach Stalwart's management port (users, groups, autogroups or tags) */
    operators: string[];
    managementPort: number;
    /** owners of the tags, e.g. ["autogroup:admin"] */
    tagOwners: string[];
    backends?: { name: string; dst: string; ports: number[] }[];
}

export interface AclGrant {
    src: string[];
    dst: string[];
    ip: string[];
}

export interface AclFragment {
    tagOwners: Record<string, string[]>;
    grants: AclGrant[];
}

const tcp = (ports: number[]): string[] => ports.map((p) => `tcp:${p}`);

/**
 * Policy selectors a grant's dst takes as is; anything else (e.g. a MagicDNS name) only works as
 * an alias declared in the policy's "hosts" section, which the rendered text points out.
 */
function isSelfContainedDst(dst: string): boolean {
    return (
        dst === "*" ||
        /^(tag|group|autogroup):/.test(dst) ||
        dst.includes("@") ||
        /^[0-9.]+(\/\d+)?$/.test(dst) ||
        /^[0-9a-fA-F:]*:[0-9a-fA-F:]*(\/\d+)?$/.test(dst)
    );
}

/** A grant with the sentence that explains it (the HuJSON comment). */
interface ExplainedGrant {
    why: string;
    grant: AclGrant;
    /** rendered commented out: pasted as is, it would make the policy file fail to save */
    needsHostsAlias?: boolean;
}

function explainedGrants(i: AclInput): ExplainedGrant[] {
    const grants: ExplainedGrant[] = [
        {
            why: `edge -> mailbox: the public mail ports the edge forwards (${i.mailPorts.join(", ")}), PROXY protocol inside`,
            grant: { src: [...i.edgeTags], dst: [...i.stalwartTags], ip: tcp(i.mailPorts) },
        },
    ];
    if (i.operators.length > 0) {
        grants.push({
            why: `operators -> mailbox: Stalwart's management/JMAP port ${i.managementPort} (web admin, x:* API)`,
            grant: { src: [...i.operators], dst: [...i.stalwartTags], ip: tcp([i.managementPort]) },
        });
    }
    for (const backend of i.backends ?? []) {
        const needsHostsAlias = !isSelfContainedDst(backend.dst);
        const aliasNote = needsHostsAlias
            ? ` (uncomment after declaring ${JSON.stringify(backend.dst)} in the policy's "hosts" section, name -> tailnet IP)`
            : "";
        grants.push({
            why: `mailbox -> ${backend.name} backend${aliasNote}`,
            grant: { src: [...i.stalwartTags], dst: [backend.dst], ip: tcp(backend.ports) },
            needsHostsAlias,
        });
    }
    return grants;
}

export function aclFragment(i: AclInput): AclFragment {
    const tagOwners: Record<string, string[]> = {};
    for (const tag of [...i.stalwartTags, ...i.edgeTags]) tagOwners[tag] = [...i.tagOwners];
    return { tagOwners, grants: explainedGrants(i).map((g) => g.grant) };
}

/** Policy-file text: HuJSON (comments, trailing commas) that is JSON once those are removed. */
export function renderAclHujson(i: AclInput): string {
    const fragment = aclFragment(i);
    const grants = explainedGrants(i);
    const j = JSON.stringify;
    const lines = [
        "// tailwart: merge these entries into the tailnet policy file's existing",
        '// "tagOwners" and "grants" (a tailscale.Acl resource would overwrite the whole policy).',
        "{",
        "  // who may apply the deployment's tags to devices and auth keys",
        '  "tagOwners": {',
        ...Object.entries(fragment.tagOwners).map(([tag, owners]) => `    ${j(tag)}: ${j(owners)},`),
        "  },",
        '  "grants": [',
        ...grants.flatMap(({ why, grant, needsHostsAlias }) => [
            `    // ${why}`,
            `    ${needsHostsAlias ? "// " : ""}{"src": ${j(grant.src)}, "dst": ${j(grant.dst)}, "ip": ${j(grant.ip)}},`,
        ]),
        "  ],",
        "}",
    ];
    return `${lines.join("\n")}\n`;
}
