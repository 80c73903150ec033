package main

import "strings"

// partitionInfo is what differs between the AWS partitions the function
// composes for. Others (aws-cn, the ISO partitions) name their service
// principals, endpoint services and rotator application differently in ways
// this function does not verify, so their regions are refused.
type partitionInfo struct {
	// dnsSuffix ends every service host name, and the service names that
	// kms:ViaService and CloudWatch Logs' key-policy principal use.
	dnsSuffix string
	// rotatorApp is AWS's SecretsManagerRDSPostgreSQLRotationSingleUser in
	// the partition's Serverless Application Repository (the ARNs AWS CDK's
	// SecretRotationApplication uses).
	rotatorApp string
	// trustStore serves the partition's certificate bundles, one per
	// region at <trustStore>/<region>/<region>-bundle.pem: GovCloud's
	// from us-gov-west-1 for both its regions, China's (not composed) from
	// https://rds-truststore.s3.cn-north-1.amazonaws.com.cn
	// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html#UsingWithRDS.SSL.RegionCertificates,
	// https://docs.amazonaws.cn/en_us/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html).
	trustStore string
}

// partitions the function composes for, by name.
var partitions = map[string]partitionInfo{
	"aws": {
		dnsSuffix:  "amazonaws.com",
		rotatorApp: "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser",
		trustStore: "https://truststore.pki.rds.amazonaws.com",
	},
	"aws-us-gov": {
		dnsSuffix:  "amazonaws.com",
		rotatorApp: "arn:aws-us-gov:serverlessrepo:us-gov-west-1:023102451235:applications/SecretsManagerRDSPostgreSQLRotationSingleUser",
		trustStore: "https://truststore.pki.us-gov-west-1.rds.amazonaws.com",
	},
}

// partitionOf is the AWS partition a region belongs to.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.Contains(region, "-iso"):
		// us-iso-east-1 is aws-iso, us-isob-east-1 aws-iso-b, and so on.
		_, rest, _ := strings.Cut(region, "-iso")
		if suffix, _, _ := strings.Cut(rest, "-"); suffix != "" {
			return "aws-iso-" + suffix
		}
		return "aws-iso"
	default:
		return "aws"
	}
}

// serviceHost is a regional service's host name, e.g.
// rds.us-east-1.amazonaws.com: what kms:ViaService and the CloudWatch Logs
// principal name.
func (p *plan) serviceHost(service string) string {
	return service + "." + p.region + "." + partitions[p.partition].dnsSuffix
}
