"""The AWS::Serverless-2016-10-31 transform, run by AWS's own SAM translator.

tidepool runs this script when a template names the SAM transform: the request (JSON) comes on
file descriptor 3, the answer (one JSON document) goes to standard output:

  request  {"template": {...}, "parameters": {name: value}, "region": "...", "account": "...",
            "stack_name": "...", "partition": "aws"}
  answer   {"template": {...}}  the processed template
           {"error": "invalid", "message": "..."}  the template is not valid SAM (AWS's text)
           {"error": "missing", "message": "..."}  aws-sam-translator is not installed

It reads nothing else and writes nothing but the answer.
"""

import json
import os
import sys


def answer(doc):
    sys.stdout.write(json.dumps(doc, default=str))
    sys.stdout.flush()


def main():
    with os.fdopen(3, "r") as f:
        request = json.load(f)
    os.environ["AWS_DEFAULT_REGION"] = request.get("region") or "us-east-1"
    try:
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.translator.transform import transform
    except ImportError as e:
        return answer({"error": "missing",
                       "message": "the AWS::Serverless-2016-10-31 transform needs AWS's SAM "
                                  "translator for python3 (pip install aws-sam-translator): %s" % e})

    class ManagedPolicies:
        """Policy names the template uses resolve to AWS's managed policy ARNs (the translator
        knows them); no IAM call is made."""

        def load(self):
            return {}

    parameters = dict(request.get("parameters") or {})
    parameters.setdefault("AWS::Region", request.get("region") or "us-east-1")
    parameters.setdefault("AWS::AccountId", request.get("account") or "000000000000")
    parameters.setdefault("AWS::Partition", request.get("partition") or "aws")
    if request.get("stack_name"):
        parameters.setdefault("AWS::StackName", request["stack_name"])
    try:
        out = transform(request["template"], parameters, ManagedPolicies())
    except InvalidDocumentException as e:
        # AWS's text: the document's summary, then each cause ("Resource with id [X] is invalid.
        # ...").
        causes = " ".join(getattr(c, "message", str(c)) for c in getattr(e, "causes", []))
        return answer({"error": "invalid", "message": ("%s %s" % (e.message, causes)).strip()})
    except Exception as e:  # the translator's own failure: report it, never a traceback
        return answer({"error": "invalid", "message": "%s: %s" % (type(e).__name__, e)})
    return answer({"template": out})


if __name__ == "__main__":
    main()
