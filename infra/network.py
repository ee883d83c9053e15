"""VPC with explicit AZs, isolated subnets only, and the endpoints the functions need.

No NAT gateway and no internet gateway: the functions reach S3 through a (free) gateway
endpoint, and Secrets Manager, SES and Lambda (admin retry) through interface endpoints. CloudWatch Logs and
X-Ray need none (Lambda ships logs and trace segments outside the VPC). See docs/deploy.md
for the cost comparison with a NAT gateway.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import DeploySettings


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: DeploySettings) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            availability_zones=list(settings.zones),
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22),
            ],
            restrict_default_security_group=True,
        )
        self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        flow_logs = logs.LogGroup(self, "FlowLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )

        # Every function runs in this group; the database and the endpoints admit only it.
        # Outbound is open at the group level because the S3 gateway endpoint is reached by
        # prefix list (a region-specific id); the subnets have no route to the internet, so
        # the only reachable destinations are the endpoints and the database anyway.
        self.function_sg = ec2.SecurityGroup(
            self, "FunctionsSg", vpc=self.vpc, description="Lambda functions", allow_all_outbound=True
        )
        self.endpoint_sg = ec2.SecurityGroup(
            self, "EndpointsSg", vpc=self.vpc, description="Interface endpoints", allow_all_outbound=False
        )
        self.endpoint_sg.add_ingress_rule(self.function_sg, ec2.Port.HTTPS, "HTTPS from the functions")

        self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[self.subnets])
        # An interface endpoint costs per AZ-hour: outside production one AZ is enough (the
        # database is single-AZ there too); production gets one per AZ.
        endpoint_subnets = (
            self.subnets
            if settings.is_production
            else ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, availability_zones=[settings.zones[0]]
            )
        )
        self.interface_endpoints = [
            self.vpc.add_interface_endpoint(
                name,
                service=service,
                subnets=endpoint_subnets,
                security_groups=[self.endpoint_sg],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in (
                ("SecretsManager", ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
                ("Ses", ec2.InterfaceVpcEndpointAwsService.EMAIL),
                # The admin "retry ingestion" route invokes the ingest function.
                ("Lambda", ec2.InterfaceVpcEndpointAwsService.LAMBDA_),
            )
        ]
