export const id = 271;
export const ids = [271];
export const modules = {

/***/ 51271:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  generateSboms: () => (/* binding */ generateSboms)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var dist_ajv = __webpack_require__(42463);
// EXTERNAL MODULE: ./node_modules/ajv-formats/dist/index.js
var dist = __webpack_require__(82815);
;// CONCATENATED MODULE: ./build/actions/build-and-sbom/schema-validate.js





const FILES = {
    'cyclonedx-1.6': {
        main: 'cyclonedx-1.6/bom-1.6.schema.json',
        refs: ['cyclonedx-1.6/spdx.schema.json', 'cyclonedx-1.6/jsf-0.82.schema.json'],
    },
    'spdx-2.3': { main: 'spdx-2.3/spdx-schema.json', refs: [] },
};
/** The schemas folder: beside the bundle, beside this source file, or (compiled tree) in the sources. */
function schemasDir(moduleUrl = import.meta.url) {
    const here = (0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(moduleUrl));
    const candidates = [(0,external_node_path_.join)(here, 'schemas'), (0,external_node_path_.join)(here, '../../../actions/build-and-sbom/schemas')];
    const found = candidates.find((dir) => (0,external_node_fs_.existsSync)((0,external_node_path_.join)(dir, FILES['spdx-2.3'].main)));
    if (!found)
        throw new Error(`SBOM schemas not found (looked in ${candidates.join(', ')})`);
    return found;
}
// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = (dist["default"] ??
    dist);
const compiled = new Map();
function validator(schema) {
    const cached = compiled.get(schema);
    if (cached)
        return cached;
    const dir = schemasDir();
    const load = (file) => JSON.parse((0,external_node_fs_.readFileSync)((0,external_node_path_.join)(dir, file), 'utf8'));
    const ajv = new dist_ajv.Ajv({ strict: false, allErrors: false, validateSchema: false });
    addFormats(ajv);
    // Formats ajv-formats lacks; the schemas use them for references and contact e-mails.
    ajv.addFormat('iri-reference', true);
    ajv.addFormat('idn-email', /^\S+@\S+$/);
    for (const ref of FILES[schema].refs)
        ajv.addSchema(load(ref));
    const validate = ajv.compile(load(FILES[schema].main));
    compiled.set(schema, validate);
    return validate;
}
class SchemaValidationError extends Error {
    name = 'SchemaValidationError';
}
/** Throws naming the first problems when `document` does not match the official schema. */
function assertValid(schema, document) {
    const validate = validator(schema);
    if (validate(document))
        return;
    const problems = (validate.errors ?? [])
        .slice(0, 5)
        .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
    throw new SchemaValidationError(`the ${schema} SBOM does not match its official schema: ${problems.join('; ')}`);
}

// EXTERNAL MODULE: ./node_modules/@cyclonedx/cyclonedx-library/dist.node/enums/index.js
var enums = __webpack_require__(6820);
// EXTERNAL MODULE: ./node_modules/@cyclonedx/cyclonedx-library/dist.node/models/index.js
var models = __webpack_require__(50320);
// EXTERNAL MODULE: ./node_modules/@cyclonedx/cyclonedx-library/dist.node/serialize/index.node.js
var index_node = __webpack_require__(51248);
// EXTERNAL MODULE: ./node_modules/@cyclonedx/cyclonedx-library/dist.node/spec/index.js
var spec = __webpack_require__(94321);
;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/described-image.js
const TOOL = { vendor: 'deploy-actions', name: 'build-and-sbom' };

// EXTERNAL MODULE: ./node_modules/@cyclonedx/cyclonedx-library/dist.node/spdx.js
var spdx = __webpack_require__(61290);
;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/license.js

const OPERATORS = new Set(['AND', 'OR', 'WITH']);
/** An expression whose every identifier is a known SPDX id (or a LicenseRef). */
function isSpdxExpression(text) {
    if (!/\b(AND|OR|WITH)\b/.test(text))
        return false;
    const tokens = text.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
    return tokens.every((token) => OPERATORS.has(token) ||
        spdx.isSupportedSpdxId(token.replace(/\+$/, '')) ||
        /^(DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+$/.test(token) ||
        // Exception ids after WITH, e.g. Classpath-exception-2.0.
        /-exception(-[\d.]+)?$/i.test(token));
}
function classifyLicense(raw) {
    const text = raw?.trim();
    if (!text)
        return undefined;
    const id = spdx.fixupSpdxId(text);
    if (id)
        return { kind: 'id', value: id };
    // npm's old "(MIT OR Apache-2.0)" style wraps the whole expression in parentheses.
    if (isSpdxExpression(text))
        return { kind: 'expression', value: text };
    return { kind: 'name', value: text };
}
/** The SPDX `licenseDeclared` value: an id or expression, else NOASSERTION. */
function spdxLicenseField(raw) {
    const license = classifyLicense(raw);
    return license && license.kind !== 'name' ? license.value : 'NOASSERTION';
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/cyclonedx.js

// Sub-path imports: the package root also loads its validators, which locate files via
// __dirname and cannot run inside an ES module bundle.






function licensesOf(raw) {
    const repository = new models.LicenseRepository();
    const license = classifyLicense(raw);
    if (!license)
        return repository;
    const acknowledgement = enums.LicenseAcknowledgement.Declared;
    if (license.kind === 'id')
        repository.add(new models.SpdxLicense(license.value, { acknowledgement }));
    else if (license.kind === 'expression') {
        const expression = new models.LicenseExpression(license.value);
        expression.acknowledgement = acknowledgement;
        repository.add(expression);
    }
    else
        repository.add(new models.NamedLicense(license.value, { acknowledgement }));
    return repository;
}
function splitName(name) {
    if (!name.startsWith('@') || !name.includes('/'))
        return { name };
    const slash = name.indexOf('/');
    return { group: name.slice(0, slash), name: name.slice(slash + 1) };
}
function toComponent(pkg, type) {
    const hashes = new models.HashDictionary();
    for (const [algorithm, hex] of pkg.hashes)
        hashes.set(algorithm, hex);
    const externalReferences = new models.ExternalReferenceRepository();
    if (pkg.resolved && /^https?:\/\//.test(pkg.resolved)) {
        externalReferences.add(new models.ExternalReference(pkg.resolved, enums.ExternalReferenceType.Distribution));
    }
    const properties = new models.PropertyRepository([
        ...pkg.paths.filter(Boolean).map((path) => new models.Property('cdx:npm:package:path', path)),
        ...(pkg.properties ?? []).map(([name, value]) => new models.Property(name, value)),
    ]);
    const { group, name } = splitName(pkg.name);
    return new models.Component(type, name, {
        bomRef: pkg.purl,
        group,
        version: pkg.version,
        purl: pkg.purl,
        hashes,
        licenses: licensesOf(pkg.license),
        supplier: pkg.supplier ? new models.OrganizationalEntity({ name: pkg.supplier }) : undefined,
        externalReferences,
        properties,
    });
}
/** A CycloneDX 1.6 BOM of the inventory, as a JSON object (validated by the caller before writing). */
function cycloneDxBom(inventory, options) {
    const bom = new models.Bom({ serialNumber: options.serialNumber ?? `urn:uuid:${(0,external_node_crypto_.randomUUID)()}` });
    bom.metadata.timestamp = options.timestamp;
    bom.metadata.tools.components.add(new models.Component(enums.ComponentType.Application, TOOL.name, {
        group: TOOL.vendor,
        version: options.toolVersion,
    }));
    bom.metadata.lifecycles.add(enums.LifecyclePhase.Build);
    const components = new Map();
    for (const pkg of inventory.packages.values()) {
        const component = toComponent(pkg, enums.ComponentType.Library);
        components.set(pkg.purl, component);
        bom.components.add(component);
    }
    const app = toComponent(inventory.root, enums.ComponentType.Application);
    for (const pkg of [inventory.root, ...inventory.packages.values()]) {
        const from = pkg === inventory.root ? app : components.get(pkg.purl);
        for (const purl of pkg.dependsOn) {
            const to = components.get(purl);
            if (to)
                from.dependencies.add(to.bomRef);
        }
    }
    if (options.image) {
        // The image is what was shipped: it contains the application, which holds the packages.
        const image = new models.Component(enums.ComponentType.Container, options.image.name, {
            bomRef: options.image.purl,
            version: options.image.version,
            purl: options.image.purl,
            hashes: new models.HashDictionary([
                [enums.HashAlgorithm['SHA-256'], options.image.digest.replace(/^sha256:/, '')],
            ]),
        });
        image.dependencies.add(app.bomRef);
        bom.components.add(app);
        bom.metadata.component = image;
    }
    else {
        bom.metadata.component = app;
    }
    const serializer = new index_node.JsonSerializer(new index_node.JSON.Normalize.Factory(spec.Spec1dot6));
    return JSON.parse(serializer.serialize(bom, { sortLists: true }));
}

// EXTERNAL MODULE: ./build/actions/build-and-sbom/sbom/load-lockfile.js + 6 modules
var load_lockfile = __webpack_require__(11946);
;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/installed-manifest.js


/** An installed package's package.json, `path` relative to the project (e.g. node_modules/a). */
function readInstalledManifest(projectDir, path) {
    const file = (0,external_node_path_.join)(projectDir, path, 'package.json');
    if (!(0,external_node_fs_.existsSync)(file))
        return undefined;
    try {
        return JSON.parse((0,external_node_fs_.readFileSync)(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
/** The author's name from `"Name <mail> (url)"` or `{ name }`. */
function authorName(author) {
    if (typeof author === 'string')
        return author.replace(/\s*[<(].*$/, '').trim() || undefined;
    if (author && typeof author === 'object' && typeof author.name === 'string') {
        return author.name.trim() || undefined;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/integrity.js
/** Hash algorithms as CycloneDX names them, keyed by the Subresource Integrity prefix. */
const ALGORITHMS = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
/** Hex digests from an SRI `integrity` string (`sha512-<base64> sha1-<base64>`); unknown algorithms are skipped. */
function integrityHashes(integrity) {
    const out = new Map();
    if (!integrity)
        return out;
    for (const token of integrity.trim().split(/\s+/)) {
        const dash = token.indexOf('-');
        if (dash < 0)
            continue;
        const algorithm = ALGORITHMS[token.slice(0, dash)];
        if (!algorithm || out.has(algorithm))
            continue;
        // SRI allows `?options` after the digest.
        const base64 = token.slice(dash + 1).split('?')[0];
        const hex = Buffer.from(base64, 'base64').toString('hex');
        if (hex)
            out.set(algorithm, hex);
    }
    return out;
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/inventory.js




/** Package URL of an npm package: the scope's `@` is encoded (`pkg:npm/%40scope/name@1.0.0`). */
function npmPurl(name, version) {
    const [scope, bare] = name.startsWith('@')
        ? [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)]
        : [undefined, name];
    const path = scope ? `${encodeURIComponent(scope)}/${encodeURIComponent(bare)}` : encodeURIComponent(bare);
    return `pkg:npm/${path}${version ? `@${encodeURIComponent(version)}` : ''}`;
}
/** Node's module resolution over lockfile keys: the nearest `node_modules/<name>` up from `from`. */
function resolveDependency(entries, from, name) {
    let base = from;
    for (;;) {
        const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
        const found = entries.get(candidate);
        if (found)
            return found;
        if (base === '')
            return undefined;
        const at = base.lastIndexOf('/node_modules/');
        base = at >= 0 ? base.slice(0, at) : '';
    }
}
/** A link entry stands for the folder it points at. */
function followLink(entries, entry) {
    if (!entry.link)
        return entry;
    return entry.resolved !== undefined ? entries.get(entry.resolved) : undefined;
}
function buildInventory(lock, options = {}) {
    const includeDev = options.includeDev ?? false;
    const projectDir = (0,external_node_path_.dirname)(lock.file);
    const readInstalled = (options.readInstalled ?? true) && (0,external_node_fs_.existsSync)((0,external_node_path_.join)(projectDir, 'node_modules'));
    // npm omits `dev` packages for production; `devOptional` ones stay unless optional ones are omitted too.
    const included = (entry) => !entry.link && (includeDev || !entry.dev);
    const packages = new Map();
    const purlOfPath = new Map();
    for (const entry of lock.entries.values()) {
        if (!included(entry))
            continue;
        const purl = npmPurl(entry.name, entry.version);
        purlOfPath.set(entry.path, purl);
        const existing = packages.get(purl);
        if (existing) {
            existing.paths.push(entry.path);
            continue;
        }
        let license = entry.license;
        let supplier;
        if (readInstalled) {
            const manifest = readInstalledManifest(projectDir, entry.path);
            if (!license && typeof manifest?.license === 'string')
                license = manifest.license;
            supplier = authorName(manifest?.author);
        }
        packages.set(purl, {
            purl,
            name: entry.name,
            version: entry.version,
            paths: [entry.path],
            resolved: entry.resolved,
            hashes: integrityHashes(entry.integrity),
            license,
            supplier,
            dependsOn: new Set(),
        });
    }
    const rootEntry = lock.root;
    const root = {
        purl: npmPurl(rootEntry.name || 'project', rootEntry.version),
        name: rootEntry.name || 'project',
        version: rootEntry.version,
        paths: [''],
        hashes: new Map(),
        license: rootEntry.license,
        dependsOn: new Set(),
    };
    const addEdges = (from, into) => {
        const names = Object.keys(from.dependencies);
        // A root dev dependency that production also installs is still an edge (as npm ls shows it).
        if (from === rootEntry)
            names.push(...Object.keys(from.devDependencies));
        for (const name of names) {
            const found = resolveDependency(lock.entries, from.path, name);
            const target = found && followLink(lock.entries, found);
            if (!target)
                continue;
            const purl = purlOfPath.get(target.path);
            if (purl && purl !== into.purl)
                into.dependsOn.add(purl);
        }
    };
    addEdges(rootEntry, root);
    for (const entry of lock.entries.values()) {
        const purl = purlOfPath.get(entry.path);
        if (purl)
            addEdges(entry, packages.get(purl));
    }
    return { lockfile: lock.file, root, packages, includeDev };
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/graph-inventory.js





/**
 * The inventory of a yarn or pnpm lockfile. Without dev dependencies it holds what the
 * workspaces' other dependencies reach, as `yarn workspaces focus --production` and
 * `pnpm install --prod` install; with them, every package the lockfile lists. Packages are keyed
 * by purl like npm's: an alias or a peer-dependency variant of the same name@version is one.
 */
/** Where a hoisted (yarn) or isolated (pnpm) install puts a package, when node_modules is present. */
function installedManifest(projectDir, pkg) {
    const candidates = [
        `node_modules/.pnpm/${pkg.name.replace('/', '+')}@${pkg.version}/node_modules/${pkg.name}`,
        `node_modules/${pkg.name}`,
    ];
    for (const path of candidates) {
        const manifest = readInstalledManifest(projectDir, path);
        // A hoisted copy may be another version of the same name: only an exact match counts.
        if (manifest && manifest.version === pkg.version)
            return manifest;
    }
    return undefined;
}
/** Keys reached from the workspaces through run-time dependencies (and dev ones of workspaces, if asked). */
function reachable(graph, withDev) {
    const workspaces = [graph.root, ...[...graph.packages.values()].filter((p) => p.workspace !== undefined)];
    const seen = new Set(workspaces.map((p) => p.key));
    const queue = workspaces.flatMap((p) => [...p.dependencies, ...(withDev ? p.devDependencies : [])]);
    while (queue.length) {
        const key = queue.pop();
        if (seen.has(key))
            continue;
        seen.add(key);
        const node = graph.packages.get(key);
        if (node)
            queue.push(...node.dependencies);
    }
    return seen;
}
function graphInventory(graph, options = {}) {
    const includeDev = options.includeDev ?? false;
    const projectDir = (0,external_node_path_.dirname)(graph.file);
    const readInstalled = (options.readInstalled ?? true) && (0,external_node_fs_.existsSync)((0,external_node_path_.join)(projectDir, 'node_modules'));
    const keep = includeDev || !graph.devKnown ? new Set(graph.packages.keys()) : reachable(graph, false);
    const toPackage = (node) => {
        const manifest = readInstalled && node.workspace === undefined ? installedManifest(projectDir, node) : undefined;
        return {
            purl: npmPurl(node.name, node.version),
            name: node.name,
            version: node.version,
            paths: node.workspace !== undefined && node.workspace !== '.' ? [node.workspace] : [],
            resolved: node.resolved,
            hashes: integrityHashes(node.integrity),
            license: node.license ?? (typeof manifest?.license === 'string' ? manifest.license : undefined),
            supplier: authorName(manifest?.author),
            dependsOn: new Set(),
            properties: [...node.properties],
        };
    };
    const packages = new Map();
    const purlOf = new Map();
    for (const node of graph.packages.values()) {
        if (!keep.has(node.key))
            continue;
        const pkg = toPackage(node);
        purlOf.set(node.key, pkg.purl);
        if (!packages.has(pkg.purl))
            packages.set(pkg.purl, pkg);
    }
    const root = toPackage(graph.root);
    const addEdges = (node, into) => {
        // A workspace's dev dependency that production also installs is still an edge (as for npm's root).
        for (const key of [...node.dependencies, ...(node.workspace !== undefined ? node.devDependencies : [])]) {
            const purl = purlOf.get(key);
            if (purl && purl !== into.purl)
                into.dependsOn.add(purl);
        }
    };
    addEdges(graph.root, root);
    for (const node of graph.packages.values()) {
        const purl = purlOf.get(node.key);
        if (purl)
            addEdges(node, packages.get(purl));
    }
    return { lockfile: graph.file, root, packages, includeDev };
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/lockfile-inventory.js


/** The inventory of any supported lockfile: npm's by install path, yarn's and pnpm's by graph. */
function lockfileInventory(lock, options = {}) {
    return lock.format === 'npm' ? buildInventory(lock, options) : graphInventory(lock, options);
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/ntia.js
function ntiaReport(inventory) {
    const missing = { version: [], supplier: [], hash: [] };
    for (const pkg of inventory.packages.values()) {
        if (!pkg.version)
            missing.version.push(pkg.purl);
        if (!pkg.supplier)
            missing.supplier.push(pkg.purl);
        if (pkg.hashes.size === 0)
            missing.hash.push(pkg.purl);
    }
    const counts = {
        version: missing.version.length,
        supplier: missing.supplier.length,
        hash: missing.hash.length,
    };
    return {
        components: inventory.packages.size,
        complete: counts.version + counts.supplier + counts.hash === 0,
        missing,
        counts,
        document: { author: true, timestamp: true, dependencyRelationships: true },
    };
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/spdx.js



const SPDX_ALGORITHM = {
    'SHA-1': 'SHA1',
    'SHA-256': 'SHA256',
    'SHA-384': 'SHA384',
    'SHA-512': 'SHA512',
};
/** SPDXIDs allow letters, digits, `.` and `-`; a short hash keeps ids unique after replacement. */
function spdxId(purl) {
    const readable = purl
        .replace(/^pkg:/, '')
        .replace(/%40/g, '')
        .replace(/[^A-Za-z0-9.-]+/g, '-')
        .slice(0, 80);
    const hash = (0,external_node_crypto_.createHash)('sha256').update(purl).digest('hex').slice(0, 8);
    return `SPDXRef-Package-${readable}-${hash}`;
}
function toPackage(pkg, purpose) {
    const checksums = [...pkg.hashes].map(([algorithm, hex]) => ({
        algorithm: SPDX_ALGORITHM[algorithm] ?? algorithm,
        checksumValue: hex,
    }));
    return {
        SPDXID: spdxId(pkg.purl),
        name: pkg.name,
        ...(pkg.version ? { versionInfo: pkg.version } : {}),
        supplier: pkg.supplier ? `Organization: ${pkg.supplier.replace(/[\r\n]+/g, ' ')}` : 'NOASSERTION',
        downloadLocation: pkg.resolved && /^(https?|git\+\w+):\/\//.test(pkg.resolved) ? pkg.resolved : 'NOASSERTION',
        filesAnalyzed: false,
        ...(checksums.length ? { checksums } : {}),
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: spdxLicenseField(pkg.license),
        copyrightText: 'NOASSERTION',
        externalRefs: [
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
        ],
        primaryPackagePurpose: purpose,
    };
}
/** An SPDX 2.3 JSON document of the inventory (validated by the caller before writing). */
function spdxDocument(inventory, options) {
    const packages = [];
    const relationships = [];
    const app = toPackage(inventory.root, 'APPLICATION');
    packages.push(app);
    const ids = new Map();
    for (const pkg of inventory.packages.values()) {
        const spdx = toPackage(pkg, 'LIBRARY');
        ids.set(pkg.purl, spdx.SPDXID);
        packages.push(spdx);
    }
    let described = app.SPDXID;
    if (options.image) {
        const image = {
            SPDXID: spdxId(options.image.purl),
            name: options.image.name,
            ...(options.image.version ? { versionInfo: options.image.version } : {}),
            supplier: options.organization ? `Organization: ${options.organization}` : 'NOASSERTION',
            downloadLocation: 'NOASSERTION',
            filesAnalyzed: false,
            checksums: [{ algorithm: 'SHA256', checksumValue: options.image.digest.replace(/^sha256:/, '') }],
            licenseConcluded: 'NOASSERTION',
            licenseDeclared: 'NOASSERTION',
            copyrightText: 'NOASSERTION',
            externalRefs: [
                { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: options.image.purl },
            ],
            primaryPackagePurpose: 'CONTAINER',
        };
        packages.unshift(image);
        described = image.SPDXID;
        relationships.push({
            spdxElementId: image.SPDXID,
            relationshipType: 'CONTAINS',
            relatedSpdxElement: app.SPDXID,
        });
    }
    relationships.unshift({
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: described,
    });
    for (const pkg of [inventory.root, ...inventory.packages.values()]) {
        const from = pkg === inventory.root ? app.SPDXID : ids.get(pkg.purl);
        for (const purl of pkg.dependsOn) {
            const to = ids.get(purl);
            if (to)
                relationships.push({ spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
        }
    }
    const name = options.image ? `${options.image.name}@${options.image.digest}` : inventory.root.name;
    const base = options.namespaceBase ?? 'https://spdx.org/spdxdocs';
    return {
        spdxVersion: 'SPDX-2.3',
        dataLicense: 'CC0-1.0',
        SPDXID: 'SPDXRef-DOCUMENT',
        name,
        documentNamespace: `${base}/${encodeURIComponent(name.replace(/[/@:]+/g, '-'))}-${(0,external_node_crypto_.randomUUID)()}`,
        creationInfo: {
            created: `${options.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
            creators: [
                `Tool: ${TOOL.vendor}-${TOOL.name}-${options.toolVersion}`,
                ...(options.organization ? [`Organization: ${options.organization}`] : []),
            ],
        },
        documentDescribes: [described],
        packages,
        relationships,
    };
}

;// CONCATENATED MODULE: ./build/actions/build-and-sbom/sbom/generate.js









function writeJson(path, document) {
    const text = `${JSON.stringify(document, null, 2)}\n`;
    (0,external_node_fs_.writeFileSync)(path, text);
    return { path, sha256: (0,external_node_crypto_.createHash)('sha256').update(text).digest('hex') };
}
/** Both documents are rendered and validated against their official schemas before either is written. */
function generateSboms(lock, request) {
    const inventory = lockfileInventory(lock, { includeDev: request.includeDev });
    const common = { image: request.image, toolVersion: request.toolVersion, timestamp: request.timestamp };
    const cyclonedx = request.formats.includes('cyclonedx-json') ? cycloneDxBom(inventory, common) : undefined;
    const spdx = request.formats.includes('spdx-json')
        ? spdxDocument(inventory, { ...common, organization: request.organization })
        : undefined;
    if (cyclonedx)
        assertValid('cyclonedx-1.6', cyclonedx);
    if (spdx)
        assertValid('spdx-2.3', spdx);
    (0,external_node_fs_.mkdirSync)(request.outputDir, { recursive: true });
    const ntia = ntiaReport(inventory);
    return {
        components: inventory.packages.size,
        source: { path: lock.file, format: (0,load_lockfile/* describeLockfile */.Vw)(lock), warnings: lock.warnings, notes: lock.notes },
        ...(cyclonedx ? { cyclonedx: writeJson((0,external_node_path_.join)(request.outputDir, 'sbom.cdx.json'), cyclonedx) } : {}),
        ...(spdx ? { spdx: writeJson((0,external_node_path_.join)(request.outputDir, 'sbom.spdx.json'), spdx) } : {}),
        ntia,
        ntiaFile: writeJson((0,external_node_path_.join)(request.outputDir, 'ntia-report.json'), ntia),
    };
}


/***/ })

};
