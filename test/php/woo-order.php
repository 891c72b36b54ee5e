<?php
// The WooCommerce order side of the plugin: AbstractGateway::processOrderStatus() with the default
// order-state mapping (OrderStates::getDefaultOrderStateMappings, from the plugin's own class) and
// updateWCOrderPayments(), on an order kept per invoice in the JSON file $WOO_ORDERS.
declare(strict_types=1);

use BTCPayServer\Client\Invoice;
use BTCPayServer\WC\Helper\GreenfieldApiWebhook;
use BTCPayServer\WC\Helper\OrderStates;

/** What WooCommerce keeps of the order paid by $invoiceId: status (without "wc-"), the BTCPay state last applied, meta. */
function wc_order(string $invoiceId): array
{
    $file = (string) getenv('WOO_ORDERS');
    $orders = is_file($file) ? json_decode((string) file_get_contents($file), true) : [];
    // A new order waits for payment (OrderStates::NEW => wc-pending).
    return $orders[$invoiceId] ?? ['status' => 'pending', 'state' => OrderStates::NEW, 'label' => 'New', 'meta' => [], 'notes' => []];
}

function wc_save_order(string $invoiceId, array $order): void
{
    $file = (string) getenv('WOO_ORDERS');
    $handle = fopen($file, 'c+');
    flock($handle, LOCK_EX);
    $orders = json_decode((string) stream_get_contents($handle), true) ?: [];
    $orders[$invoiceId] = $order;
    ftruncate($handle, 0);
    rewind($handle);
    fwrite($handle, json_encode($orders, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
    flock($handle, LOCK_UN);
    fclose($handle);
}

/** AbstractGateway::updateWCOrderStatus(): IGNORE leaves the order as it is. */
function update_wc_order_status(array &$order, string $state): void
{
    $wcStatus = (new OrderStates())->getDefaultOrderStateMappings()[$state];
    if ($wcStatus !== OrderStates::IGNORE) {
        $order['status'] = str_replace('wc-', '', $wcStatus);
        $order['state'] = $state;
        $order['label'] = (new OrderStates())->getOrderStateLabels()[$state];
    }
}

/** GreenfieldApiHelper::invoiceIsFullyPaid(). */
function invoice_is_fully_paid(string $invoiceId): bool
{
    $c = gf_config();
    try {
        return (new Invoice($c['url'], $c['api_key']))->getInvoice($c['store_id'], $invoiceId)->isSettled();
    } catch (Throwable $e) {
        return false;
    }
}

/** AbstractGateway::updateWCOrderPayments(): the order meta it writes (the plugin logs and drops an exception). */
function update_wc_order_payments(string $invoiceId): array
{
    $c = gf_config();
    $meta = [];
    try {
        foreach ((new Invoice($c['url'], $c['api_key']))->getPaymentMethods($c['store_id'], $invoiceId) as $payment) {
            if ((float) $payment->getPaymentMethodPaid() > 0.0) {
                $name = $payment->getPaymentMethod();
                $meta["BTCPay_{$name}_total_paid"] = $payment->getTotalPaid() ?? '';
                $meta["BTCPay_{$name}_total_amount"] = $payment->getAmount() ?? '';
                $meta["BTCPay_{$name}_total_due"] = $payment->getDue() ?? '';
                $meta["BTCPay_{$name}_total_fee"] = $payment->getNetworkFee() ?? '';
                $meta["BTCPay_{$name}_rate"] = $payment->getRate() ?? '';
                foreach ($payment->getPayments() as $index => $trx) {
                    $meta["BTCPay_{$name}_{$index}_id"] = $trx->getTransactionId() ?? '';
                    $meta["BTCPay_{$name}_{$index}_timestamp"] = $trx->getReceivedTimestamp() ?? '';
                    $meta["BTCPay_{$name}_{$index}_destination"] = $trx->getDestination() ?? '';
                    $meta["BTCPay_{$name}_{$index}_amount"] = $trx->getValue() ?? '';
                    $meta["BTCPay_{$name}_{$index}_status"] = $trx->getStatus() ?? '';
                    $meta["BTCPay_{$name}_{$index}_networkFee"] = $trx->getFee() ?? '';
                }
            }
        }
        return ['meta' => $meta];
    } catch (Throwable $e) {
        return ['meta' => $meta, 'error' => error_of($e)];
    }
}

/** AbstractGateway::processOrderStatus() (order status protection off, the plugin's default). */
function process_order_status(stdClass $webhookData): array
{
    $order = wc_order((string) $webhookData->invoiceId);
    if (!in_array($webhookData->type, GreenfieldApiWebhook::WEBHOOK_EVENTS)) {
        return $order;
    }
    $payments = static function (array &$order) use ($webhookData): void {
        $written = update_wc_order_payments((string) $webhookData->invoiceId);
        $order['meta'] = array_merge($order['meta'], $written['meta']);
        if (isset($written['error'])) {
            $order['paymentsError'] = $written['error'];
        }
    };
    switch ($webhookData->type) {
        case 'InvoiceReceivedPayment':
            if ($webhookData->afterExpiration) {
                update_wc_order_status($order, OrderStates::EXPIRED_PAID_PARTIAL);
                $order['notes'][] = 'Invoice (partial) payment incoming (unconfirmed) after invoice was already expired.';
            } else {
                $order['notes'][] = 'Invoice (partial) payment incoming (unconfirmed). Waiting for settlement.';
            }
            $payments($order);
            break;
        case 'InvoicePaymentSettled':
            $mapping = (new OrderStates())->getDefaultOrderStateMappings();
            if ($order['status'] === str_replace('wc-', '', $mapping[OrderStates::EXPIRED]) || $order['status'] === str_replace('wc-', '', $mapping[OrderStates::EXPIRED_PAID_PARTIAL])) {
                if (invoice_is_fully_paid((string) $webhookData->invoiceId)) {
                    update_wc_order_status($order, OrderStates::EXPIRED_PAID_LATE);
                    $order['notes'][] = 'Invoice fully settled after invoice was already expired. Needs manual checking.';
                } else {
                    update_wc_order_status($order, OrderStates::EXPIRED_PAID_PARTIAL);
                    $order['notes'][] = '(Partial) payment settled but invoice not settled yet (could be more transactions incoming). Needs manual checking.';
                }
            } else {
                $order['notes'][] = 'Invoice (partial) payment settled.';
            }
            $payments($order);
            break;
        case 'InvoiceProcessing':
            update_wc_order_status($order, OrderStates::PROCESSING);
            break;
        case 'InvoiceInvalid':
            update_wc_order_status($order, OrderStates::INVALID);
            break;
        case 'InvoiceExpired':
            update_wc_order_status($order, $webhookData->partiallyPaid ? OrderStates::EXPIRED_PAID_PARTIAL : OrderStates::EXPIRED);
            break;
        case 'InvoiceSettled':
            // $order->payment_complete(): a paid order that needs shipping is "processing".
            $order['status'] = 'processing';
            update_wc_order_status($order, !empty($webhookData->overPaid) ? OrderStates::SETTLED_PAID_OVER : OrderStates::SETTLED);
            $payments($order);
            break;
    }
    wc_save_order((string) $webhookData->invoiceId, $order);
    return $order;
}
