package main

// The XRDs' headers: everything before the schema, kept as text so the
// generated XRDs keep their comments, flow-style lists and printer columns
// exactly. Each ends with the "openAPIV3Schema:" line the schema of
// apis/schema.yaml is indented under. Change an XRD's metadata, names,
// claim, connection secret keys or printer columns here, then run
// make generate.

// namespacedHeader heads apis/namespaced/definition.yaml.
const namespacedHeader = `# The XAuroraCluster API, namespaced (Crossplane v2). Keep the spec and status
# schemas identical to apis/legacy/definition.yaml: TestXRDSchemasInStep
# checks that, and TestXRDMatchesGoTypes checks both against xr.go.
apiVersion: apiextensions.crossplane.io/v2
kind: CompositeResourceDefinition
metadata:
  name: xauroraclusters.aws.platform.example.org
spec:
  group: aws.platform.example.org
  names:
    kind: XAuroraCluster
    plural: xauroraclusters
    categories: [crossplane, composite, aurora]
  scope: Namespaced
  defaultCompositionRef:
    name: xauroraclusters.aws.platform.example.org
  versions:
  - name: v1alpha1
    served: true
    referenceable: true
    additionalPrinterColumns:
    - name: CLUSTER
      type: string
      jsonPath: .status.clusterIdentifier
    - name: ENDPOINT
      type: string
      jsonPath: .status.endpoint
    - name: AVAILABLE
      type: string
      jsonPath: .status.conditions[?(@.type=='Available')].reason
    schema:
      openAPIV3Schema:
`

// legacyHeader heads apis/legacy/definition.yaml.
const legacyHeader = `# The XAuroraCluster API for Crossplane's legacy claims: a cluster-scoped
# XAuroraCluster with an AuroraCluster claim. Same spec and status as
# apis/namespaced/definition.yaml (TestXRDSchemasInStep checks that), except
# writeConnectionSecretToRef, which Crossplane adds to legacy XRs and claims
# itself. The function still composes namespaced provider-aws kinds, in the
# claim's namespace.
apiVersion: apiextensions.crossplane.io/v1
kind: CompositeResourceDefinition
metadata:
  name: xauroraclusters.legacy.aws.platform.example.org
spec:
  group: legacy.aws.platform.example.org
  names:
    kind: XAuroraCluster
    plural: xauroraclusters
    categories: [crossplane, composite, aurora]
  claimNames:
    kind: AuroraCluster
    plural: auroraclusters
    categories: [crossplane, claim, aurora]
  connectionSecretKeys: [host, reader_host, port, dbname, username, secret_arn, sslmode]
  defaultCompositionRef:
    name: xauroraclusters.legacy.aws.platform.example.org
  versions:
  - name: v1alpha1
    served: true
    referenceable: true
    additionalPrinterColumns:
    - name: CLUSTER
      type: string
      jsonPath: .status.clusterIdentifier
    - name: ENDPOINT
      type: string
      jsonPath: .status.endpoint
    - name: AVAILABLE
      type: string
      jsonPath: .status.conditions[?(@.type=='Available')].reason
    schema:
      openAPIV3Schema:
`
