// The AWS SDK for JavaScript v3 S3 client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// The client is built as users build it (path-style for a local endpoint): its default CRC32
// checksums (aws-chunked with a trailing checksum for streams), lib-storage's Upload
// (multipart for a large stream), ranged and conditional GETs, listing, versions and errors,
// multipart copies read back by part number, object ACLs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  ListObjectVersionsCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  CompleteMultipartUploadCommand,
  PutObjectAclCommand,
  GetObjectAclCommand,
  S3ServiceException,
  NoSuchKey,
  NoSuchBucket,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const client = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});

const md5 = (bytes) => createHash("md5").update(bytes).digest("hex");

test("put, get, head, list and delete with default checksums", async () => {
  await client.send(new CreateBucketCommand({ Bucket: "js-bucket" }));
  const body = Buffer.from("hello from the JS SDK");
  const put = await client.send(
    new PutObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt", Body: body, ContentType: "text/plain" }),
  );
  assert.equal(put.ETag, `"${md5(body)}"`);
  const got = await client.send(
    new GetObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt", ChecksumMode: "ENABLED" }),
  );
  assert.equal(await got.Body.transformToString(), body.toString());
  assert.equal(got.ContentType, "text/plain");
  const range = await client.send(
    new GetObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt", Range: "bytes=0-4" }),
  );
  assert.equal(await range.Body.transformToString(), "hello");
  const head = await client.send(new HeadObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" }));
  assert.equal(head.ContentLength, body.length);
  const list = await client.send(new ListObjectsV2Command({ Bucket: "js-bucket", Prefix: "a/" }));
  assert.deepEqual(list.Contents.map((o) => o.Key), ["a/b.txt"]);
  await client.send(new DeleteObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" }));
  await assert.rejects(
    client.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" })),
    (e) => e instanceof NoSuchKey && e.$metadata.httpStatusCode === 404,
  );
  await assert.rejects(
    client.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "x" })),
    (e) => e instanceof NoSuchBucket,
  );
});

test("a stream of unknown length goes as aws-chunked with a trailing CRC32", async () => {
  const data = randomBytes(700 * 1024);
  const stream = Readable.from([data.subarray(0, 300000), data.subarray(300000)]);
  await client.send(
    new PutObjectCommand({ Bucket: "js-bucket", Key: "stream.bin", Body: stream, ContentLength: data.length }),
  );
  const got = await client.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "stream.bin" }));
  assert.equal(md5(Buffer.from(await got.Body.transformToByteArray())), md5(data));
});

test("lib-storage Upload: multipart for a large body", async () => {
  const data = randomBytes(11 * 1024 * 1024 + 17);
  const upload = new Upload({
    client,
    params: { Bucket: "js-bucket", Key: "big.bin", Body: Readable.from([data]) },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
  });
  await upload.done();
  const head = await client.send(new HeadObjectCommand({ Bucket: "js-bucket", Key: "big.bin" }));
  assert.equal(head.ContentLength, data.length);
  assert.match(head.ETag, /-3"$/);
  const got = await client.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "big.bin" }));
  assert.equal(md5(Buffer.from(await got.Body.transformToByteArray())), md5(data));
});

test("versioned bucket: version ids, reads by version, delete markers", async () => {
  await client.send(new CreateBucketCommand({ Bucket: "js-versions" }));
  await client.send(new PutBucketVersioningCommand({
    Bucket: "js-versions", VersioningConfiguration: { Status: "Enabled" } }));
  const first = await client.send(new PutObjectCommand({
    Bucket: "js-versions", Key: "k", Body: "one" }));
  const second = await client.send(new PutObjectCommand({
    Bucket: "js-versions", Key: "k", Body: "two" }));
  assert.notEqual(first.VersionId, second.VersionId);
  const old = await client.send(new GetObjectCommand({
    Bucket: "js-versions", Key: "k", VersionId: first.VersionId }));
  assert.equal(await old.Body.transformToString(), "one");
  const deleted = await client.send(new DeleteObjectCommand({ Bucket: "js-versions", Key: "k" }));
  assert.equal(deleted.DeleteMarker, true);
  // The error says it is a delete marker, and which one (x-amz-delete-marker, x-amz-version-id).
  await assert.rejects(client.send(new GetObjectCommand({ Bucket: "js-versions", Key: "k" })),
    (e) => e instanceof NoSuchKey && e.$response.headers["x-amz-delete-marker"] === "true" &&
      e.$response.headers["x-amz-version-id"] === deleted.VersionId);
  await assert.rejects(client.send(new HeadObjectCommand({
    Bucket: "js-versions", Key: "k", VersionId: deleted.VersionId })),
  (e) => e.$metadata.httpStatusCode === 405 &&
    e.$response.headers["x-amz-delete-marker"] === "true");
  const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "js-versions" }));
  assert.deepEqual(listed.Versions.map((v) => v.VersionId), [second.VersionId, first.VersionId]);
  assert.equal(listed.DeleteMarkers[0].VersionId, deleted.VersionId);
  assert.equal(listed.DeleteMarkers[0].IsLatest, true);
});

test("UploadPartCopy parts read back by part number; object ACLs", async () => {
  await client.send(new CreateBucketCommand({ Bucket: "js-copy" }));
  const data = randomBytes(6 * 1024 * 1024 + 11);
  await client.send(new PutObjectCommand({ Bucket: "js-copy", Key: "src", Body: data }));
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: "js-copy", Key: "dst", ACL: "public-read" }),
  );
  const split = 5 * 1024 * 1024;
  const ranges = [`bytes=0-${split - 1}`, `bytes=${split}-${data.length - 1}`];
  const parts = [];
  for (const [i, range] of ranges.entries()) {
    const out = await client.send(
      new UploadPartCopyCommand({
        Bucket: "js-copy", Key: "dst", UploadId, PartNumber: i + 1,
        CopySource: "js-copy/src", CopySourceRange: range,
      }),
    );
    parts.push({ PartNumber: i + 1, ETag: out.CopyPartResult.ETag });
  }
  assert.equal(parts[0].ETag, `"${md5(data.subarray(0, split))}"`);
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: "js-copy", Key: "dst", UploadId, MultipartUpload: { Parts: parts },
    }),
  );
  const second = await client.send(
    new GetObjectCommand({ Bucket: "js-copy", Key: "dst", PartNumber: 2 }),
  );
  assert.equal(second.PartsCount, 2);
  assert.equal(second.ContentRange, `bytes ${split}-${data.length - 1}/${data.length}`);
  assert.ok(Buffer.from(await second.Body.transformToByteArray()).equals(data.subarray(split)));
  await assert.rejects(
    client.send(new GetObjectCommand({ Bucket: "js-copy", Key: "dst", PartNumber: 3 })),
    (e) => e instanceof S3ServiceException && e.name === "InvalidPartNumber" &&
      e.$metadata.httpStatusCode === 416,
  );
  const acl = await client.send(new GetObjectAclCommand({ Bucket: "js-copy", Key: "dst" }));
  assert.deepEqual(acl.Grants.map((g) => g.Permission), ["FULL_CONTROL", "READ"]);
  assert.equal(acl.Grants[1].Grantee.URI, "http://acs.amazonaws.com/groups/global/AllUsers");
  await client.send(new PutObjectAclCommand({ Bucket: "js-copy", Key: "dst", ACL: "private" }));
  const after = await client.send(new GetObjectAclCommand({ Bucket: "js-copy", Key: "dst" }));
  assert.deepEqual(after.Grants.map((g) => g.Permission), ["FULL_CONTROL"]);
});
