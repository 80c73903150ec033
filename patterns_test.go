package main

import (
	"strings"
	"testing"
)

func TestBoundedPatterns(t *testing.T) {
	n := func(c string, k int) string { return strings.Repeat(c, k) }
	cases := map[string]struct {
		reason string
		p      *boundedPattern
		s      string
		want   bool
	}{
		"SNSTopicAtLimit": {
			reason: "An SNS topic name may have 256 characters.",
			p:      reSNSTopicARN, s: "arn:aws:sns:us-east-1:111122223333:" + n("t", 256), want: true,
		},
		"SNSTopicOverLimit": {
			reason: "An SNS topic name longer than 256 characters is refused.",
			p:      reSNSTopicARN, s: "arn:aws:sns:us-east-1:111122223333:" + n("t", 257),
		},
		"SNSTopicEmpty": {
			reason: "An SNS topic ARN needs a name.",
			p:      reSNSTopicARN, s: "arn:aws:sns:us-east-1:111122223333:",
		},
		"LambdaAliasAtLimits": {
			reason: "A Lambda function name may have 64 characters and its qualifier 128.",
			p:      reLambdaARN, s: "arn:aws:lambda:us-east-1:111122223333:function:" + n("f", 64) + ":" + n("a", 128), want: true,
		},
		"LambdaNameOverLimit": {
			reason: "A Lambda function name longer than 64 characters is refused.",
			p:      reLambdaARN, s: "arn:aws:lambda:us-east-1:111122223333:function:" + n("f", 65),
		},
		"LambdaQualifierOverLimit": {
			reason: "A Lambda qualifier longer than 128 characters is refused.",
			p:      reLambdaARN, s: "arn:aws:lambda:us-east-1:111122223333:function:f:" + n("a", 129),
		},
		"LambdaLatest": {
			reason: "$LATEST is a valid qualifier.",
			p:      reLambdaARN, s: "arn:aws:lambda:us-east-1:111122223333:function:f:$LATEST", want: true,
		},
		"ResponsePlanOverLimit": {
			reason: "A response plan name longer than 200 characters is refused.",
			p:      reResponsePlanARN, s: "arn:aws:ssm-incidents::111122223333:responseplan/" + n("r", 201),
		},
		"ResponsePlanAtLimit": {
			reason: "A response plan name may have 200 characters.",
			p:      reResponsePlanARN, s: "arn:aws:ssm-incidents::111122223333:responseplan/" + n("r", 200), want: true,
		},
		"RotatorFunctionOverLimit": {
			reason: "An existing rotator's function name longer than 64 characters is refused.",
			p:      reLambdaFunctionARN, s: "arn:aws:lambda:us-east-1:111122223333:function:" + n("f", 65),
		},
		"RoleAtLimit": {
			reason: "A role name with its path may have 512 characters.",
			p:      reRoleARN, s: "arn:aws:iam::111122223333:role/" + n("r", 512), want: true,
		},
		"RoleOverLimit": {
			reason: "A role name with its path longer than 512 characters is refused.",
			p:      reRoleARN, s: "arn:aws:iam::111122223333:role/" + n("r", 513),
		},
		"BucketShortest": {
			reason: "A bucket name has at least three characters.",
			p:      reS3Bucket, s: "a.b", want: true,
		},
		"BucketTooShort": {
			reason: "A two-character bucket name is refused.",
			p:      reS3Bucket, s: "ab",
		},
		"BucketAtLimit": {
			reason: "A bucket name may have 63 characters.",
			p:      reS3Bucket, s: n("b", 63), want: true,
		},
		"BucketOverLimit": {
			reason: "A bucket name longer than 63 characters is refused.",
			p:      reS3Bucket, s: n("b", 64),
		},
		"DBNameAtLimit": {
			reason: "A database or user name may have 63 characters.",
			p:      reDBName, s: "d" + n("_", 62), want: true,
		},
		"DBNameOverLimit": {
			reason: "A database or user name longer than 63 characters is refused.",
			p:      reDBName, s: "d" + n("_", 63),
		},
		"DBNameSingle": {
			reason: "A one-letter name is valid.",
			p:      reDBName, s: "d", want: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.p.MatchString(tc.s); got != tc.want {
				t.Errorf("%s\nMatchString(%d characters) = %v, want %v", tc.reason, len(tc.s), got, tc.want)
			}
		})
	}
}
