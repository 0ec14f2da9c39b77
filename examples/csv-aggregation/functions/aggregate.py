"""Aggregate: the state machine's first task. Input {"date": "20230828"}; reads the batch's three
items and returns {"date", "messages": [...], "problems": [...]}: one message per customer, in
the customers file's order, as compact JSON text
  {"id":"1","name":"John Doe","total_amount_spent":400,
   "orders":[{"id":"1001","amount":250,"item_ids":["501","502"]}, ...]}
(orders and item ids in file order, numbers in shortest form), and one problem (JSON text) per
order of an unknown customer and per item of an unknown order. A missing file of the batch
raises BatchIncomplete (it cannot happen when the ingest function started the execution).
"""

import decimal
import json
import os

import boto3

from batch import KINDS, item_id, shortest

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


class BatchIncomplete(Exception):
    pass


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def handler(event, context):
    date = event["date"]
    batch = {}
    for kind in KINDS:
        item = table.get_item(Key={"ID": item_id(date, kind)}, ConsistentRead=True).get("Item")
        if item is None:
            raise BatchIncomplete("batch %s has no %s file" % (date, kind))
        batch[kind] = item
    problems = []
    customers = {}
    for c in batch["customers"]["rows"]:
        customers[c["customer_id"]] = {"id": c["customer_id"], "name": c["customer_name"],
                                       "total": decimal.Decimal(0), "orders": []}
    orders = {}
    for o in batch["orders"]["rows"]:
        customer = customers.get(o["customer_id"])
        if customer is None:
            problems.append(compact({"file": batch["orders"]["source"], "order": o["order_id"],
                                     "error": "unknown customer %s" % o["customer_id"]}))
            continue
        amount = decimal.Decimal(o["amount"])
        order = {"id": o["order_id"], "amount": amount, "item_ids": []}
        customer["orders"].append(order)
        customer["total"] += amount
        orders[o["order_id"]] = order
    for i in batch["items"]["rows"]:
        order = orders.get(i["order_id"])
        if order is None:
            problems.append(compact({"file": batch["items"]["source"], "item": i["item_id"],
                                     "error": "unknown order %s" % i["order_id"]}))
            continue
        order["item_ids"].append(i["item_id"])
    messages = [compact({
        "id": c["id"], "name": c["name"], "total_amount_spent": shortest(c["total"]),
        "orders": [{"id": o["id"], "amount": shortest(o["amount"]), "item_ids": o["item_ids"]}
                   for o in c["orders"]]}) for c in customers.values()]
    return {"date": date, "messages": messages, "problems": problems}
