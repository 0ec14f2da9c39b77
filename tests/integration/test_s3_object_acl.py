"""Object ACLs through boto3 and the aws CLI: canned ACLs and grant headers on PutObject,
CopyObject and CreateMultipartUpload, PutObjectAcl / GetObjectAcl (headers and an
AccessControlPolicy body), per version; stored and returned, not evaluated."""

import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from harness import make_client

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def s3(endpoint):
    client = make_client(endpoint, "s3")
    client.create_bucket(Bucket="acl")
    return client


def summary(acl):
    out = []
    for g in acl["Grants"]:
        grantee = g["Grantee"]
        who = grantee.get("ID") or grantee.get("URI") or grantee.get("EmailAddress")
        out.append((kind(grantee), who, g["Permission"]))
    return out


def kind(grantee):
    """The grantee's type. tidepool's XML codec writes no attributes, so the xsi:type AWS
    puts on <Grantee> is missing: the type is told by the element the grantee has."""
    return ("CanonicalUser" if "ID" in grantee else "Group" if "URI" in grantee
            else "AmazonCustomerByEmail")


def owner_of(s3):
    return s3.get_bucket_acl(Bucket="acl")["Owner"]["ID"]


def test_canned_acls_on_writes(s3):
    owner = owner_of(s3)
    s3.put_object(Bucket="acl", Key="default", Body=b"x")
    acl = s3.get_object_acl(Bucket="acl", Key="default")
    assert acl["Owner"]["ID"] == owner
    assert summary(acl) == [("CanonicalUser", owner, "FULL_CONTROL")]
    s3.put_object(Bucket="acl", Key="public", Body=b"x", ACL="public-read")
    assert summary(s3.get_object_acl(Bucket="acl", Key="public")) == [
        ("CanonicalUser", owner, "FULL_CONTROL"), ("Group", ALL_USERS, "READ")]
    # A copy gets the ACL its request names, not the source's.
    s3.copy_object(Bucket="acl", Key="copied", CopySource="acl/public")
    assert summary(s3.get_object_acl(Bucket="acl", Key="copied")) == [
        ("CanonicalUser", owner, "FULL_CONTROL")]
    s3.copy_object(Bucket="acl", Key="copied2", CopySource="acl/default",
                   ACL="authenticated-read")
    assert summary(s3.get_object_acl(Bucket="acl", Key="copied2"))[1] == (
        "Group", AUTHENTICATED, "READ")
    upload = s3.create_multipart_upload(Bucket="acl", Key="mp", ACL="public-read-write")
    etag = s3.upload_part(Bucket="acl", Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                          Body=b"part")["ETag"]
    s3.complete_multipart_upload(Bucket="acl", Key="mp", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert summary(s3.get_object_acl(Bucket="acl", Key="mp"))[1:] == [
        ("Group", ALL_USERS, "READ"), ("Group", ALL_USERS, "WRITE")]
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="acl", Key="bad", Body=b"x", ACL="no-such-acl")
    assert e.value.response["Error"]["Code"] == "InvalidArgument"


def test_grant_headers_and_put_object_acl(s3):
    owner = owner_of(s3)
    s3.put_object(Bucket="acl", Key="k", Body=b"x", GrantRead='uri="%s"' % ALL_USERS,
                  GrantFullControl='id="%s", emailAddress="a@example.com"' % owner)
    assert summary(s3.get_object_acl(Bucket="acl", Key="k")) == [
        ("CanonicalUser", owner, "FULL_CONTROL"),
        ("AmazonCustomerByEmail", "a@example.com", "FULL_CONTROL"),
        ("Group", ALL_USERS, "READ")]
    s3.put_object_acl(Bucket="acl", Key="k", ACL="private")
    assert summary(s3.get_object_acl(Bucket="acl", Key="k")) == [
        ("CanonicalUser", owner, "FULL_CONTROL")]
    s3.put_object_acl(Bucket="acl", Key="k", AccessControlPolicy={
        "Owner": {"ID": owner},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "READ"},
                   {"Grantee": {"Type": "Group", "URI": AUTHENTICATED},
                    "Permission": "READ_ACP"}]})
    assert summary(s3.get_object_acl(Bucket="acl", Key="k")) == [
        ("CanonicalUser", owner, "READ"), ("Group", AUTHENTICATED, "READ_ACP")]
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="acl", Key="k", ACL="private",
                          GrantRead='uri="%s"' % ALL_USERS)
    assert e.value.response["Error"]["Code"] == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.put_object_acl(Bucket="acl", Key="missing", ACL="private")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.get_object_acl(Bucket="acl", Key="missing")
    assert e.value.response["Error"]["Code"] == "NoSuchKey"


def test_acl_per_version(s3):
    s3.put_bucket_versioning(Bucket="acl", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="acl", Key="v", Body=b"1", ACL="public-read")["VersionId"]
    s3.put_object(Bucket="acl", Key="v", Body=b"2")
    assert len(s3.get_object_acl(Bucket="acl", Key="v")["Grants"]) == 1
    assert len(s3.get_object_acl(Bucket="acl", Key="v", VersionId=first)["Grants"]) == 2
    s3.put_object_acl(Bucket="acl", Key="v", VersionId=first, ACL="private")
    assert len(s3.get_object_acl(Bucket="acl", Key="v", VersionId=first)["Grants"]) == 1


def test_cli_object_acl(s3, endpoint, tmp_path):
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "000000000000", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                "AWS_CONFIG_FILE": str(tmp_path / "cfg"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds")})
    env.pop("AWS_PROFILE", None)
    src = tmp_path / "f.txt"
    src.write_text("hi")

    def aws(*args):
        proc = subprocess.run(["aws", "--endpoint-url", endpoint, *args], capture_output=True,
                              text=True, env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    aws("s3", "cp", str(src), "s3://acl/f.txt", "--acl", "public-read")
    out = json.loads(aws("s3api", "get-object-acl", "--bucket", "acl", "--key", "f.txt"))
    assert [g["Permission"] for g in out["Grants"]] == ["FULL_CONTROL", "READ"]
    aws("s3api", "put-object-acl", "--bucket", "acl", "--key", "f.txt", "--acl", "private")
    out = json.loads(aws("s3api", "get-object-acl", "--bucket", "acl", "--key", "f.txt"))
    assert [g["Permission"] for g in out["Grants"]] == ["FULL_CONTROL"]
