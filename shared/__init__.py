"""Domain library shared by every Lambda function (packaged as the shared layer)."""
