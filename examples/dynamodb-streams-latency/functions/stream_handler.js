// The table's stream handler (event source mapping, LATEST). For each new item it logs one JSON
// line: {"event":"item-handled","id","createdAt","bid","sequenceNumber","handledAt","lagMs"},
// where lagMs = handledAt - createdAt, both in ms since the epoch (the handler's clock against
// the writer's). driver/drive_bids.py reads these lines back from CloudWatch Logs.
exports.handler = async (event) => {
  const handledAt = Date.now();
  for (const record of event.Records) {
    if (record.eventName !== "INSERT") continue;
    const image = record.dynamodb.NewImage;
    const createdAt = Number(image.createdAt.N);
    console.log(JSON.stringify({
      event: "item-handled",
      id: image.id.S,
      createdAt,
      bid: image.bid ? Number(image.bid.N) : null,
      sequenceNumber: record.dynamodb.SequenceNumber,
      handledAt,
      lagMs: handledAt - createdAt,
    }));
  }
};
