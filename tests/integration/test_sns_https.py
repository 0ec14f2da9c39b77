"""SNS to https:// endpoints: a Python https server with a self-signed certificate (made by the
`openssl` CLI) receives the SubscriptionConfirmation and, once confirmed, the Notifications,
exactly as AWS posts them (headers and JSON envelope).
"""

import http.server
import json
import queue
import shutil
import socket
import ssl
import subprocess
import threading
import urllib.parse

import pytest

from harness import make_client

POST_TIMEOUT_S = 15


class HttpsEndpoint:
    """An https server on 127.0.0.1 in a thread; every POST lands in `posts` as
    (path, headers dict with lower-case names, body text). `server_names` records the SNI."""

    def __init__(self, cert, key, status=200):
        self.posts = queue.Queue()
        self.server_names = []
        posts = self.posts

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                posts.put((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = self._record_server_name
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _record_server_name(self, sslobj, name, context):
        if name is not None:  # None: the client sent no SNI
            self.server_names.append(name)

    def next_post(self, timeout=POST_TIMEOUT_S):
        try:
            return self.posts.get(timeout=timeout)
        except queue.Empty:
            pytest.fail("no POST reached the https endpoint within %ss" % timeout)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def self_signed(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_endpoint(self_signed):
    endpoint = HttpsEndpoint(*self_signed)
    yield endpoint
    endpoint.close()


@pytest.fixture
def sns(endpoint):
    return make_client(endpoint, "sns")


def subscribe_pending(sns, topic, url):
    """Subscribes `url` over https; the subscription waits for its confirmation."""
    resp = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=url)
    assert resp["SubscriptionArn"] == "pending confirmation"


def test_confirmation_then_notification_over_https(sns, https_endpoint):
    topic = sns.create_topic(Name="https-topic")["TopicArn"]
    url = "https://localhost:%d/sns/hook?source=tidepool" % https_endpoint.port
    subscribe_pending(sns, topic, url)

    path, headers, body = https_endpoint.next_post()
    assert path == "/sns/hook?source=tidepool"
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["content-type"].startswith("text/plain")
    assert headers["host"] == "localhost:%d" % https_endpoint.port
    confirmation = json.loads(body)
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert confirmation["TopicArn"] == topic
    assert confirmation["MessageId"] == headers["x-amz-sns-message-id"]
    token = confirmation["Token"]
    assert token
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(confirmation["SubscribeURL"]).query)
    assert query["Action"] == ["ConfirmSubscription"]
    assert query["TopicArn"] == [topic]
    assert query["Token"] == [token]
    for key in ("Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"):
        assert key in confirmation, (key, confirmation)
    assert "localhost" in https_endpoint.server_names  # SNI from the URL's host name

    [pending] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert pending["SubscriptionArn"] == "PendingConfirmation"
    sub = sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    assert sub.startswith(topic + ":")
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attrs["PendingConfirmation"] == "false"
    assert attrs["Protocol"] == "https"
    assert attrs["Endpoint"] == url

    mid = sns.publish(TopicArn=topic, Message="hello over TLS", Subject="greeting",
                      MessageAttributes={"colour": {"DataType": "String",
                                                    "StringValue": "blue"}})["MessageId"]
    path, headers, body = https_endpoint.next_post()
    assert path == "/sns/hook?source=tidepool"
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == mid
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["x-amz-sns-subscription-arn"] == sub
    env = json.loads(body)
    for key in ("Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                "MessageAttributes"):
        assert key in env, (key, env)
    assert env["Type"] == "Notification"
    assert env["MessageId"] == mid
    assert env["TopicArn"] == topic
    assert env["Subject"] == "greeting"
    assert env["Message"] == "hello over TLS"
    assert env["MessageAttributes"] == {"colour": {"Type": "String", "Value": "blue"}}
    assert env["Timestamp"].endswith("Z")
    assert "SubscriptionArn=" + sub in urllib.parse.unquote(env["UnsubscribeURL"])
    assert https_endpoint.posts.empty()


def test_raw_delivery_over_https_to_an_ip_literal(sns, https_endpoint):
    topic = sns.create_topic(Name="https-raw")["TopicArn"]
    url = "https://127.0.0.1:%d/raw" % https_endpoint.port
    subscribe_pending(sns, topic, url)
    _, headers, body = https_endpoint.next_post()
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    sub = sns.confirm_subscription(TopicArn=topic,
                                   Token=json.loads(body)["Token"])["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                    AttributeValue="true")

    sns.publish(TopicArn=topic, Message='{"raw": true}')
    path, headers, body = https_endpoint.next_post()
    assert path == "/raw"
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-rawdelivery"] == "true"
    assert body == '{"raw": true}'
    assert https_endpoint.server_names == []  # no SNI for an IP address (RFC 6066)


def test_unsubscribe_confirmation_and_restoring_through_its_token(sns, https_endpoint):
    topic = sns.create_topic(Name="https-unsubscribe")["TopicArn"]
    url = "https://127.0.0.1:%d/hook" % https_endpoint.port
    subscribe_pending(sns, topic, url)
    _, _, body = https_endpoint.next_post()
    sub = sns.confirm_subscription(TopicArn=topic,
                                   Token=json.loads(body)["Token"])["SubscriptionArn"]

    sns.unsubscribe(SubscriptionArn=sub)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    path, headers, body = https_endpoint.next_post()
    assert path == "/hook"
    assert headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert headers["x-amz-sns-subscription-arn"] == sub
    assert headers["x-amz-sns-topic-arn"] == topic
    goodbye = json.loads(body)
    assert goodbye["Type"] == "UnsubscribeConfirmation"
    assert goodbye["MessageId"] == headers["x-amz-sns-message-id"]
    assert goodbye["TopicArn"] == topic
    assert goodbye["Message"] == (
        "You have chosen to deactivate subscription %s.\nTo cancel this operation and restore "
        "the subscription, visit the SubscribeURL included in this message." % sub)
    for key in ("Token", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature",
                "SigningCertURL"):
        assert key in goodbye, (key, goodbye)
    assert "UnsubscribeURL" not in goodbye
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(goodbye["SubscribeURL"]).query)
    assert query == {"Action": ["ConfirmSubscription"], "TopicArn": [topic],
                     "Token": [goodbye["Token"]]}

    # The token brings the subscription back; notifications flow again.
    assert sns.confirm_subscription(TopicArn=topic,
                                    Token=goodbye["Token"])["SubscriptionArn"] == sub
    [restored] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert restored["SubscriptionArn"] == sub
    assert restored["Endpoint"] == url
    mid = sns.publish(TopicArn=topic, Message="welcome back")["MessageId"]
    _, headers, body = https_endpoint.next_post()
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert json.loads(body)["MessageId"] == mid
    assert https_endpoint.posts.empty()
