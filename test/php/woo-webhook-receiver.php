<?php
// Router for `php -S`: the plugin's AbstractGateway::processWebhook(). It finds the BTCPay-Sig
// header as the plugin does, validates the raw body with the client's
// Webhook::isIncomingWebhookRequestValid (GreenfieldApiHelper::validWebhookRequest) against the
// stored secret, updates the order as processOrderStatus() does (woo-order.php), and records each
// request with the order status it left (one JSON line in $WOO_WEBHOOK_LOG) for the test.
declare(strict_types=1);

require __DIR__ . '/bootstrap.php';
require __DIR__ . '/woo-order.php';

use BTCPayServer\Client\Webhook;

$raw = (string) file_get_contents('php://input');
$signature = null;
foreach (getallheaders() as $key => $value) {
    if (strtolower($key) === 'btcpay-sig') {
        $signature = $value;
    }
}
$webhook = get_option('btcpay_gf_webhook', null);
$valid = $signature !== null && $webhook && Webhook::isIncomingWebhookRequestValid($raw, $signature, $webhook['secret']);
$record = ['valid' => $valid, 'query' => $_GET, 'receivedAt' => time()];
if ($valid) {
    $data = json_decode($raw, false, 512, JSON_THROW_ON_ERROR);
    // The fields processOrderStatus() reads.
    $record += [
        'type' => $data->type ?? null,
        'invoiceId' => $data->invoiceId ?? null,
        'afterExpiration' => $data->afterExpiration ?? null,
        'partiallyPaid' => $data->partiallyPaid ?? null,
        'manuallyMarked' => $data->manuallyMarked ?? null,
        'overPaid' => $data->overPaid ?? null,
        'timestamp' => $data->timestamp ?? null,
    ];
    $order = process_order_status($data);
    $record += ['orderStatus' => $order['status'], 'orderState' => $order['label'], 'paymentsError' => $order['paymentsError'] ?? null];
}
file_put_contents((string) getenv('WOO_WEBHOOK_LOG'), json_encode($record, JSON_UNESCAPED_SLASHES) . "\n", FILE_APPEND | LOCK_EX);
// wp_die() answers 500 on a failed validation; a handled event is a 200.
http_response_code($valid ? 200 : 500);
echo $valid ? 'ok' : 'Webhook request validation failed.';
